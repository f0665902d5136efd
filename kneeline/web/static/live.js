// Live coaching: sends reduced camera frames over a WebSocket and shows the count and cues.
// "Turn on camera" runs the setup assistant (setup.js) first and starts the set after its countdown;
// "Start now" starts at once, and the saved set then carries the checks that were not met.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.KneelineSetup) { return; }
  var video = document.getElementById("live-video");
  var canvas = document.getElementById("live-canvas");
  var countEl = document.getElementById("live-count");
  var phaseEl = document.getElementById("live-phase");
  var holdEl = document.getElementById("live-hold");
  var cuesEl = document.getElementById("live-cues");
  var msgEl = document.getElementById("live-message");
  var statusEl = document.getElementById("live-status");
  var cameraBtn = document.getElementById("live-camera");
  var startBtn = document.getElementById("live-start");
  var finishBtn = document.getElementById("live-finish");
  var problem = document.getElementById("camera-problem");
  var problemText = document.getElementById("camera-problem-text");
  var FPS = window.KneelineSetup.FPS;
  var ws = null, busy = false, timer = null, latencies = [], stream = null;
  window.kneelineLatencies = latencies;

  function showProblem(text) {
    problemText.textContent = text + " ";
    problem.hidden = false;
  }

  var assistant = window.KneelineSetup.create({
    video: video, view: root.getAttribute("data-view") || "frontal",
    onStart: function () { connect("ok"); },
    onLost: function (reason) {
      statusEl.textContent = "The camera check stopped (" + reason + "). You can still start: press Start now.";
    }
  });

  var sender = window.KneelineSetup.frameSender(video, canvas, function () { busy = false; });

  function sendFrame() {
    if (!busy && sender(ws)) { busy = true; }
  }

  function show(msg) {
    var s = msg.state;
    countEl.textContent = s.reps;
    phaseEl.textContent = s.phase;
    holdEl.textContent = s.hold_s != null ? s.hold_s.toFixed(1) + " s" : "";
    cuesEl.textContent = s.cues.join(" ");
    msgEl.textContent = s.message || ((s.withheld || []).length ? "Not checked in the last repetition: " + s.withheld.join("; ") : "");
    latencies.push(performance.now() - msg.t);  // for benchmarks/live_latency.py only: never shown to patients
  }

  function finish() {
    clearInterval(timer);
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify({ type: "finish" })); }
    finishBtn.disabled = true;
  }

  function cameraStopped() {
    assistant.stop();
    stream = null;
    cameraBtn.disabled = false;
    startBtn.disabled = false;
    finish();
    showProblem(window.KneelineSetup.cameraStopped);
  }

  // the camera stream (asked for once); resolves to null when it cannot be opened
  function camera() {
    if (stream) { return Promise.resolve(stream); }
    problem.hidden = true;
    var unavailable = window.KneelineSetup.cameraUnavailable();
    if (unavailable) {
      statusEl.textContent = "";
      showProblem(unavailable);
      return Promise.resolve(null);
    }
    return navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 } }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      s.getVideoTracks().forEach(function (track) { track.addEventListener("ended", cameraStopped); });
      return s;
    }).catch(function (err) {
      statusEl.textContent = "";
      showProblem(window.KneelineSetup.cameraError(err));
      return null;
    });
  }

  // open the coaching socket; setup: "ok", the unmet check ids, or "unchecked"
  function connect(setup) {
    if (ws) { return; }
    cameraBtn.disabled = true;
    startBtn.disabled = true;
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + root.getAttribute("data-ws") + "?setup=" + encodeURIComponent(setup));
    ws.binaryType = "arraybuffer";
    ws.onopen = function () {
      statusEl.textContent = "Connected. Start when ready.";
      finishBtn.disabled = false;
      timer = setInterval(sendFrame, 1000 / FPS);
    };
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "state") { busy = false; show(msg); }
      else if (msg.type === "error") { busy = false; msgEl.textContent = msg.message; }
      else if (msg.type === "saved") {
        statusEl.textContent = "Set saved: " + msg.count + (root.getAttribute("data-kind") === "hold" ? " holds" : " reps") + ".";
        statusEl.setAttribute("data-saved", String(msg.count));
      }
    };
    ws.onclose = function (ev) {
      clearInterval(timer);
      finishBtn.disabled = true;
      if (ev.code === 1008) { statusEl.textContent = "Not connected: " + ev.reason; }
      else if (!statusEl.getAttribute("data-saved")) { statusEl.textContent = "Connection closed; what was counted is saved."; }
    };
  }

  cameraBtn.addEventListener("click", function () {
    camera().then(function (s) {
      if (!s) { return; }
      cameraBtn.disabled = true;
      statusEl.textContent = "Camera on. Follow the checks; the set starts by itself when all are met.";
      assistant.start();
    });
  });

  startBtn.addEventListener("click", function () {
    var neverChecked = !cameraBtn.disabled;  // the camera check was not turned on
    var unmet = neverChecked ? ["unchecked"] : assistant.unmet();
    camera().then(function (s) {
      if (!s) { return; }
      assistant.stop();
      connect(unmet.length ? unmet.join(",") : "ok");
    });
  });

  finishBtn.addEventListener("click", finish);
})();
