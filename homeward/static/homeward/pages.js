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

  // <input data-divisions>: suggest divisions by name as the clerk types (the regions
  // search); each suggestion ends with its code, which the form reads back. Built with
  // DOM properties only: a name never reaches the page as markup.
  document.querySelectorAll("input[data-divisions]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        // data-divisions-many: several areas in one field, 、 between them; the last one
        // typed is looked up, and each suggestion keeps the ones before it.
        var many = input.hasAttribute("data-divisions-many");
        var cut = many ? Math.max(input.value.lastIndexOf("、"), input.value.lastIndexOf("，"),
          input.value.lastIndexOf(",")) + 1 : 0;
        var before = input.value.slice(0, cut);
        var name = input.value.slice(cut).trim();
        if (!list || !name || name === asked || /[0-9]/.test(name)) { return; }
        asked = name;
        fetch(input.dataset.divisions + "?name=" + encodeURIComponent(name), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : [];
        }).then(function (rows) {
          var options = rows.slice(0, 20).map(function (d) {
            var option = document.createElement("option");
            option.value = before + d.path + "（" + d.code + "）";
            return option;
          });
          list.replaceChildren.apply(list, options);
        }).catch(function () { /* no suggestions: a typed name still works */ });
      }, 200);
    });
  });

  // The marks picker: "add another mark" copies its last row, emptied.
  document.querySelectorAll("[data-marks-picker] [data-add-mark]").forEach(function (button) {
    button.addEventListener("click", function () {
      var rows = button.parentNode.querySelectorAll(".marks-row");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      button.parentNode.insertBefore(copy, button);
    });
  });

  // <button data-locate>: "use my location". The browser's geolocation fills the form's
  // hidden latitude and longitude; the status line says what happened, as text only. A
  // button with data-submit sends its form once the point is in.
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var status = document.querySelector(button.dataset.status);
    var say = function (text) { if (status) { status.textContent = text; } };
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { say(button.dataset.failed); return; }
      say(button.dataset.asking);
      navigator.geolocation.getCurrentPosition(function (position) {
        document.querySelector(button.dataset.latitude).value = position.coords.latitude.toFixed(6);
        document.querySelector(button.dataset.longitude).value = position.coords.longitude.toFixed(6);
        say(button.dataset.done.replace("{metres}", String(Math.round(position.coords.accuracy || 0))));
        if (button.hasAttribute("data-submit")) { button.form.submit(); }
      }, function () { say(button.dataset.failed); }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });

  // <form data-confirm="question">: asks before sending (a withdrawal cannot be undone).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  });
})();
