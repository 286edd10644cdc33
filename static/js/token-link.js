/* Personal links for lists: hand the code from the URL fragment to the form, then forget the fragment.
   The fragment never reaches the server; the code travels only in the POST body. */
(function () {
  "use strict";
  var match = /(?:^#|&)t=([A-Za-z0-9_-]{16,100})/.exec(window.location.hash);
  var form = document.querySelector("form[data-token-form]");
  var input = form && form.querySelector("input[name=token]");
  if (!match || !form || !input) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname);
  input.value = match[1];
  form.submit();
})();
