# The production kit checked offline: hadolint on the Dockerfile, kubernetes-validate and
# checkov on deploy/k8s. The tools have an environment of their own, .venv-deploy, holding
# exactly requirements-deploy.txt (uv; `make install` never installs them).
# The Kubernetes version whose schemas the manifests must meet, unknown fields included
# (--strict); kubernetes-validate 1.37 knows the versions up to this one.
K8S_VERSION ?= 1.37.0
DEPLOY_VENV := .venv-deploy
DEPLOY_BIN := $(DEPLOY_VENV)/bin
# kustomization.yaml is kustomize's list of the manifests, not a Kubernetes resource.
K8S_MANIFESTS = $(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))

.PHONY: lint-deploy

lint-deploy: ## hadolint, kubernetes-validate and checkov on Dockerfile and deploy/k8s (offline)
	@test -x "$(UV)" || { echo "uv is missing: run make install first." >&2; exit 1; }
	$(UV) venv --quiet --allow-existing --python $(VENV_PYTHON) $(DEPLOY_VENV)
	$(UV) $(SYNC) --python $(DEPLOY_BIN)/python requirements-deploy.txt
	@# Any finding fails, down to the "info" level (hadolint's default threshold).
	$(DEPLOY_BIN)/hadolint Dockerfile
	$(DEPLOY_BIN)/kubernetes-validate --quiet --strict --kubernetes-version $(K8S_VERSION) \
		$(K8S_MANIFESTS)
	@# Offline: --skip-download fetches no policies or guidelines from the vendor's platform,
	@# CKV_SKIP_PACKAGE_UPDATE_CHECK asks no package index for a newer checkov. Any failed
	@# check fails; each waiver is a checkov.io/skip annotation in the manifest, with its reason.
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(DEPLOY_BIN)/checkov --quiet --compact --skip-download \
		--framework kubernetes dockerfile --file Dockerfile $(K8S_MANIFESTS)
