// Records a test with the browser camera (MediaRecorder) and puts the recording into the upload form.
(function () {
  "use strict";
  var box = document.getElementById("recorder");
  if (!box || !window.MediaRecorder || !navigator.mediaDevices) { return; }
  box.hidden = false;
  var preview = document.getElementById("preview");
  var startCam = document.getElementById("camera-start");
  var startRec = document.getElementById("record-start");
  var stopRec = document.getElementById("record-stop");
  var statusEl = document.getElementById("record-status");
  var fileInput = document.getElementById("video-file");
  var stream = null, recorder = null, chunks = [];

  function say(text) { statusEl.textContent = text; }

  startCam.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
      .then(function (s) {
        stream = s;
        preview.srcObject = s;
        startRec.disabled = false;
        say("Camera on. Step back until your whole body is in the picture, then start recording.");
      })
      .catch(function (err) { say("The camera could not be opened (" + err.name + "). Upload a video file instead."); });
  });

  startRec.addEventListener("click", function () {
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
      startRec.disabled = false;
    };
    recorder.start(1000);
    startRec.disabled = true;
    stopRec.disabled = false;
    say("Recording…");
  });

  stopRec.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    stopRec.disabled = true;
  });
})();
