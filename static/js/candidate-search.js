/* Type-ahead for choosing candidates: asks the server (rate-limited, at most ten people) as the
   submitter types, and offers the matches in a native datalist. "Add" appends the employee
   number to the list of candidates. Without scripts the search button shows the same matches. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var list = document.getElementById("search-suggestions");
  var target = document.getElementById("candidates");
  var add = document.getElementById("add-candidate");
  if (!form || !input || !list || !target || !add) {
    return;
  }
  var timer = null;
  add.hidden = false;
  input.setAttribute("list", "search-suggestions");
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    if (input.value.trim().length < 3 || /\u2014/.test(input.value)) {
      return;
    }
    timer = window.setTimeout(function () {
      fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (people) {
          list.textContent = "";
          people.forEach(function (p) {
            var option = document.createElement("option");
            option.value = p.employee_number + " \u2014 " + p.name;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the search button still works */ });
    }, 300);
  });
  add.addEventListener("click", function () {
    var number = input.value.split("\u2014")[0].trim();
    if (!number) {
      return;
    }
    target.value = (target.value.replace(/\s+$/, "") + "\n" + number).replace(/^\n/, "");
    input.value = "";
    input.focus();
  });
})();
