/* Nomination round: hand the personal code from the URL fragment to the form, then forget the
   fragment; and search colleagues as you type. The code never leaves the page except in a POST body.
   Without scripts every form still works: the code is pasted, the search button shows the results. */
(function () {
  "use strict";

  function takeCodeFromFragment() {
    var match = /(?:^#|&)t=([A-Za-z0-9_-]{16,100})/.exec(window.location.hash);
    var codeForm = document.getElementById("code-form") || document.getElementById("decline-form");
    var input = document.getElementById("token");
    if (!match || !codeForm || !input) {
      return;
    }
    window.history.replaceState(null, "", window.location.pathname);
    input.value = match[1];
    if (codeForm.id === "code-form") {
      codeForm.submit(); /* opening one's own nominations changes nothing; declining waits for the button */
    }
  }

  function showResults(list, status, results) {
    list.textContent = "";
    if (!results.length) {
      status.textContent = status.getAttribute("data-none");
      return;
    }
    results.forEach(function (person) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "submit";
      button.setAttribute("form", "add-form");
      button.name = "handle";
      button.value = person.id;
      button.textContent = status.getAttribute("data-add").replace("{name}", person.name);
      item.appendChild(button);
      list.appendChild(item);
    });
    status.textContent = status.getAttribute("data-found").replace("{n}", String(results.length));
  }

  function searchAsYouType() {
    var form = document.getElementById("search-form");
    var input = document.getElementById("q");
    var list = document.getElementById("results");
    var status = document.getElementById("results-status");
    if (!form || !input || !list || !status || !window.fetch) {
      return;
    }
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        if (query.length < Number(input.getAttribute("minlength") || 2)) {
          list.textContent = "";
          status.textContent = "";
          return;
        }
        var body = new URLSearchParams(new FormData(form));
        var ticket = ++latest;
        window.fetch(form.getAttribute("data-people-url"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          if (ticket === latest) {
            showResults(list, status, data.results || []);
          }
        }).catch(function () { /* the search button still works */ });
      }, 250);
    });
  }

  takeCodeFromFragment();
  searchAsYouType();
})();
