// sqladmin's delete button sends an XHR (jQuery) rather than a form: give every such
// request the page's CSRF token, which app/admin/auth.py reads from X-CSRF-Token.
$.ajaxSetup({
  headers: { "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
});
