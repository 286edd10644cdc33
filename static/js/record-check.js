/* The auditor page: follow a server-side run of the record checks and show the report when it ends.
   Polls the run's small JSON status; the page itself works without this script (a Refresh link). */
(function () {
  "use strict";
  var box = document.querySelector("[data-check-status]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-check-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-check-text]");

  function show(status) {
    if (status.percent !== null && bar) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
    }
    if (text) {
      text.textContent = status.stage_label + (status.total ? " — " + status.done + " / " + status.total : "");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
