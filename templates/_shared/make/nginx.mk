# nginx in front of two instances (README, "Running in production"): deploy/nginx/site.conf is
# made from its template with envsubst, which fills in only the variables listed here, so
# nginx's own $variables stay as they are. Override any of them on the command line.
NGINX_SERVER_NAME ?= example.com
NGINX_PUBLIC_ORIGIN ?= https://$(NGINX_SERVER_NAME)
NGINX_HTTP_LISTEN ?= 80
NGINX_HTTPS_LISTEN ?= 443
NGINX_TLS_CERTIFICATE ?= /etc/letsencrypt/live/$(NGINX_SERVER_NAME)/fullchain.pem
NGINX_TLS_CERTIFICATE_KEY ?= /etc/letsencrypt/live/$(NGINX_SERVER_NAME)/privkey.pem
NGINX_APP_SERVER_1 ?= 127.0.0.1:8000
NGINX_APP_SERVER_2 ?= 127.0.0.1:8001
NGINX_CONFIG ?= deploy/nginx/site.conf
NGINX_VARIABLES := NGINX_SERVER_NAME NGINX_PUBLIC_ORIGIN NGINX_HTTP_LISTEN NGINX_HTTPS_LISTEN \
	NGINX_TLS_CERTIFICATE NGINX_TLS_CERTIFICATE_KEY NGINX_APP_SERVER_1 NGINX_APP_SERVER_2
export $(NGINX_VARIABLES)

.PHONY: nginx-config

nginx-config: ## deploy/nginx/site.conf for your host: make nginx-config NGINX_SERVER_NAME=api.example.com
	@command -v envsubst >/dev/null || { echo "envsubst is missing: it comes with gettext" \
		"(apt install gettext-base, brew install gettext)." >&2; exit 1; }
	envsubst '$(foreach name,$(NGINX_VARIABLES),$${$(name)})' \
		< deploy/nginx/site.conf.template > $(NGINX_CONFIG)
	@echo "Wrote $(NGINX_CONFIG). Copy it to /etc/nginx/conf.d/, then: sudo nginx -t && sudo nginx -s reload"
