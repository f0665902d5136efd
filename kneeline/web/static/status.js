// Polls the analysis status while the job runs; reloads the page when it is done or failed.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job) { return; }
  var status = job.getAttribute("data-status");
  if (status !== "queued" && status !== "running") { return; }
  var url = job.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 3000); return; }
        if (bar) { bar.value = s.progress; }
        if (stage) { stage.textContent = s.stage; }
        if (s.status === "done" || s.status === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
