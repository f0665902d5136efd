// Records a test with the browser camera (MediaRecorder) and puts the recording into the upload form.
// The setup assistant (setup.js) checks the camera first and starts recording after a countdown;
// "Record anyway" starts at once and the upload then carries the checks that were not met.
(function () {
  "use strict";
  var box = document.getElementById("recorder");
  if (!box || !window.KneelineSetup) { return; }
  box.hidden = false;
  var preview = document.getElementById("preview");
  var startCam = document.getElementById("camera-start");
  var startRec = document.getElementById("record-start");
  var stopRec = document.getElementById("record-stop");
  var statusEl = document.getElementById("record-status");
  var fileInput = document.getElementById("video-file");
  var unmetInput = document.getElementById("setup-unmet");
  var problem = document.getElementById("camera-problem");
  var problemText = document.getElementById("camera-problem-text");
  var stream = null, recorder = null, chunks = [];

  function say(text) { statusEl.textContent = text; }

  function showProblem(text) {
    problemText.textContent = text + " ";
    problem.hidden = false;
  }

  var assistant = window.KneelineSetup.create({
    video: preview, view: box.getAttribute("data-view") || "frontal",
    onStart: function () { startRecording([]); },
    onLost: function (reason) {
      say("The camera check stopped (" + reason + "). You can still record: press Record anyway.");
    }
  });

  function cameraStopped() {
    assistant.stop();
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    startRec.disabled = true;
    stopRec.disabled = true;
    startCam.disabled = false;
    stream = null;
    showProblem(window.KneelineSetup.cameraStopped);
  }

  startCam.addEventListener("click", function () {
    problem.hidden = true;
    var unavailable = window.KneelineSetup.cameraUnavailable() ||
      (window.MediaRecorder ? null : "This browser cannot record video. Upload a video file instead.");
    if (unavailable) {
      say("");
      showProblem(unavailable);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
      .then(function (s) {
        stream = s;
        preview.srcObject = s;
        s.getVideoTracks().forEach(function (track) { track.addEventListener("ended", cameraStopped); });
        startRec.disabled = false;
        startCam.disabled = true;
        say("Camera on. Follow the checks; recording starts by itself when all are met.");
        assistant.start();
      })
      .catch(function (err) {
        say("");
        showProblem(window.KneelineSetup.cameraError(err));
      });
  });

  function startRecording(unmet) {
    if (!stream || (recorder && recorder.state === "recording")) { return; }
    assistant.stop();
    unmetInput.value = unmet.length ? unmet.join(",") : "ok";
    chunks = [];
    var type = MediaRecorder.isTypeSupported("video/webm;codecs=vp8") ? "video/webm;codecs=vp8" : "video/webm";
    recorder = new MediaRecorder(stream, { mimeType: type });
    recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
    recorder.onstop = function () {
      var blob = new Blob(chunks, { type: "video/webm" });
      var file = new File([blob], "recording.webm", { type: "video/webm" });
      var dt = new DataTransfer();
      dt.items.add(file);
      fileInput.files = dt.files;
      say("Recorded " + Math.round(blob.size / 1024) + " kB. Press Analyse to send it.");
      startRec.disabled = !stream;
    };
    recorder.start(1000);
    startRec.disabled = true;
    stopRec.disabled = false;
    say(unmet.length ? "Recording (the setup checks were not all met; the result will say so)…" : "Recording…");
  }

  startRec.addEventListener("click", function () { startRecording(assistant.unmet()); });
  // a file chosen by hand is not the camera recording: it carries no setup flag
  fileInput.addEventListener("change", function () { unmetInput.value = ""; });

  stopRec.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    stopRec.disabled = true;
  });
})();
