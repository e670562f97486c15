// The dashboard's only script. Every page works without it; with it the
// time-travel slider applies as it moves, and pages follow the ledger live
// through the server-sent events of /live (no polling): rows of the jobs
// table change state as events land, new jobs that pass its filters are
// added to it, and a job page reloads its fields and
// timeline when an event of that job arrives, and the events page puts
// each new matching event on top of its table. Text from the server is set
// with textContent, or comes as markup the server rendered and escaped.
(function () {
  "use strict";

  function bindTravel() {
    var travel = document.getElementById("travel");
    if (!travel) { return; }
    var output = document.getElementById("travel-output");
    travel.addEventListener("input", function () {
      var text = travel.value + " of " + travel.max;
      if (output) { output.textContent = text; }
      travel.setAttribute("aria-valuetext", "entry " + text);
    });
    travel.addEventListener("change", function () { travel.form.submit(); });
  }
  bindTravel();

  // An action on every matching job runs a part per request: the page of
  // a part that has a next one submits its form by itself, after a moment
  // in which leaving the page stops it.
  var continueForm = document.getElementById("continue-form");
  if (continueForm && continueForm.getAttribute("data-auto") === "true") {
    window.setTimeout(function () { continueForm.submit(); }, 300);
  }

  var body = document.body;
  var stream = body.getAttribute("data-live");
  if (!stream || !window.EventSource) { return; }
  var jobID = body.getAttribute("data-job");
  var travelling = document.getElementById("travel-banner") !== null;

  var status = document.createElement("span");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.textContent = "Connecting…";
  var header = document.querySelector("header.top");
  if (header) { header.appendChild(status); }

  function setState(cell, state) {
    var badge = cell.querySelector(".state");
    if (!badge || !state) { return; }
    badge.textContent = state;
    badge.className = "state state-" + state;
  }

  var loading = false;
  var again = false;
  function reloadJob() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var next = fresh.getElementById("live-job");
        var now = document.getElementById("live-job");
        if (next && now) {
          now.replaceWith(document.importNode(next, true));
          bindTravel();
          // One short announcement, not the whole section read again.
          var state = document.querySelector("dd.job-state");
          status.textContent = "Live · " + (state ? state.textContent.trim() : "updated");
        }
        var raw = fresh.querySelector("details.raw pre");
        var shown = document.querySelector("details.raw pre");
        if (raw && shown) { shown.textContent = raw.textContent; }
      })
      .catch(function () { /* the next event tries again */ })
      .finally(function () {
        loading = false;
        if (again) { again = false; reloadJob(); }
      });
  }

  var joiner = stream.indexOf("?") === -1 ? "?" : "&";
  var source = new EventSource(stream + joiner + "after=" + encodeURIComponent(body.getAttribute("data-after") || "0"));
  source.addEventListener("open", function () { status.textContent = "Live"; });
  source.addEventListener("error", function () { status.textContent = "Reconnecting…"; });
  source.addEventListener("job", function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (error) { return; }
    var rows = document.querySelectorAll("tr[data-job-id]");
    for (var index = 0; index < rows.length; index += 1) {
      if (rows[index].getAttribute("data-job-id") === data.job) {
        var cell = rows[index].querySelector(".job-state");
        if (cell) { setState(cell, data.state); }
        rows[index].classList.add("changed");
      }
    }
    if (jobID !== null && data.job === jobID && !travelling) { reloadJob(); }
  });

  // The jobs table: a new job that passes the page's filters arrives as
  // its row, rendered and escaped by the server. The listing is in
  // submission order, so it belongs at the end of the listing's last page:
  // it is added there while the page has room; otherwise the status says
  // how many new jobs are on later pages. A page that showed no jobs loads
  // its list again, to get the table around the row.
  var jobsList = document.getElementById("jobs-list");
  var pageSize = 50;
  var later = 0;
  var listing = false;
  function hasRow(id) {
    var rows = document.querySelectorAll("tr[data-job-id]");
    for (var index = 0; index < rows.length; index += 1) {
      if (rows[index].getAttribute("data-job-id") === id) { return true; }
    }
    return false;
  }
  function reloadList() {
    if (listing) { return; }
    listing = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("jobs-list");
        if (fresh && jobsList) {
          var imported = document.importNode(fresh, true);
          jobsList.replaceWith(imported);
          jobsList = imported;
          status.textContent = "Live · new jobs shown";
        }
      })
      .catch(function () { /* the next new job tries again */ })
      .finally(function () { listing = false; });
  }
  source.addEventListener("new", function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (error) { return; }
    if (!jobsList || typeof data.row !== "string" || hasRow(data.job)) { return; }
    var table = jobsList.querySelector("table.jobs");
    var lastPage = jobsList.querySelector("a[rel=next]") === null;
    if (!table) {
      if (lastPage) { reloadList(); }
      return;
    }
    var rowsBody = table.tBodies[0];
    if (!lastPage || rowsBody.rows.length >= pageSize) {
      later += 1;
      status.textContent = "Live · " + later + (later === 1 ? " new job" : " new jobs") + " on later pages";
      return;
    }
    var parsed = new DOMParser().parseFromString("<table><tbody>" + data.row + "</tbody></table>", "text/html");
    var row = parsed.querySelector("tr[data-job-id]");
    if (!row) { return; }
    var added = document.importNode(row, true);
    added.classList.add("changed");
    rowsBody.appendChild(added);
    var caption = table.querySelector("caption");
    if (caption) { caption.textContent = rowsBody.rows.length + " jobs on this page, in submission order within each state"; }
    status.textContent = "Live · new job " + data.job;
  });

  // The events page: a matching event goes on top of the table, built
  // with textContent only; the table keeps as many rows as it was given.
  var eventsTable = document.getElementById("events");
  var eventsLimit = eventsTable ? Math.max(100, eventsTable.tBodies[0].rows.length) : 0;
  function cell(label, text, className) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (className) { td.className = className; }
    if (text !== null) { td.textContent = text; }
    return td;
  }
  source.addEventListener("event", function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (error) { return; }
    if (!eventsTable) { return; }
    var rowsBody = eventsTable.tBodies[0];
    var row = document.createElement("tr");
    row.setAttribute("data-position", String(data.position));
    row.className = "changed";
    row.appendChild(cell("Position", String(data.position)));
    var time = cell("Time", null);
    var stamp = document.createElement("time");
    stamp.setAttribute("datetime", data.recordedAt);
    stamp.textContent = String(data.recordedAt).replace("T", " ").replace(/\.\d+Z$/, "Z");
    time.appendChild(stamp);
    row.appendChild(time);
    var streamCell = cell("Stream", null, "long");
    if (typeof data.job === "string") {
      var link = document.createElement("a");
      link.href = "/jobs/" + encodeURIComponent(data.job);
      link.textContent = data.stream;
      streamCell.appendChild(link);
    } else {
      streamCell.textContent = data.stream;
    }
    row.appendChild(streamCell);
    row.appendChild(cell("Type", data.type));
    row.appendChild(cell("Actor", data.actor));
    var dataCell = cell("Data", null, "long");
    var code = document.createElement("code");
    code.className = "data";
    code.textContent = data.data;
    dataCell.appendChild(code);
    row.appendChild(dataCell);
    rowsBody.insertBefore(row, rowsBody.firstChild);
    while (rowsBody.rows.length > eventsLimit) { rowsBody.deleteRow(rowsBody.rows.length - 1); }
    var empty = document.getElementById("events-empty");
    if (empty) { empty.remove(); }
    status.textContent = "Live · " + rowsBody.rows.length + " events shown";
  });
})();
