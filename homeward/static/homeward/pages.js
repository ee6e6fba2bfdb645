// Small behaviours of our pages, kept out of the HTML so that the Content-Security-Policy
// can refuse every inline script.
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing a value sends its form (the year of figures).
  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });

  // <button data-print>: print the page (tracing notices' posters).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Ending a stay: show only the fields the chosen kind of exit needs.
  var groupsData = document.getElementById("exit-groups");
  var kind = document.getElementById("id_kind");
  if (groupsData && kind) {
    var groups = JSON.parse(groupsData.textContent);
    var show = function () {
      var wanted = groups[kind.value] || [];
      document.querySelectorAll(".exit-field").forEach(function (row) {
        row.hidden = wanted.indexOf(row.dataset.field) < 0;
      });
    };
    kind.addEventListener("change", show);
    show();
  }

  // The hotline form: Ctrl+Enter in the description sends the report.
  var description = document.querySelector("[data-submit-on-ctrl-enter]");
  if (description) {
    description.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        description.form.requestSubmit();
      }
    });
  }
})();
