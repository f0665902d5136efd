// Live coaching: sends reduced camera frames over a WebSocket and shows the count and cues.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var video = document.getElementById("live-video");
  var canvas = document.getElementById("live-canvas");
  var countEl = document.getElementById("live-count");
  var phaseEl = document.getElementById("live-phase");
  var holdEl = document.getElementById("live-hold");
  var cuesEl = document.getElementById("live-cues");
  var msgEl = document.getElementById("live-message");
  var statusEl = document.getElementById("live-status");
  var latencyEl = document.getElementById("live-latency");
  var startBtn = document.getElementById("live-start");
  var finishBtn = document.getElementById("live-finish");
  var FPS = 12, WIDTH = 480;
  var ws = null, busy = false, timer = null, latencies = [];
  window.kneelineLatencies = latencies;

  function sendFrame() {
    if (!ws || ws.readyState !== 1 || busy || !video.videoWidth) { return; }
    var scale = Math.min(1, WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var t = performance.now();
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    busy = true;
    canvas.toBlob(function (blob) {
      if (!blob) { busy = false; return; }
      blob.arrayBuffer().then(function (buf) {
        var out = new Uint8Array(8 + buf.byteLength);
        new DataView(out.buffer).setFloat64(0, t, true);
        out.set(new Uint8Array(buf), 8);
        ws.send(out.buffer);
      });
    }, "image/jpeg", 0.7);
  }

  function show(msg) {
    var s = msg.state;
    countEl.textContent = s.reps;
    phaseEl.textContent = s.phase;
    holdEl.textContent = s.hold_s != null ? s.hold_s.toFixed(1) + " s" : "";
    cuesEl.textContent = s.cues.join(" ");
    msgEl.textContent = s.message || "";
    var lat = performance.now() - msg.t;
    latencies.push(lat);
    latencyEl.textContent = Math.round(lat) + " ms";
  }

  startBtn.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 } }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      ws = new WebSocket(proto + location.host + root.getAttribute("data-ws"));
      ws.binaryType = "arraybuffer";
      ws.onopen = function () {
        statusEl.textContent = "Connected. Start when ready.";
        finishBtn.disabled = false;
        startBtn.disabled = true;
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
    }).catch(function (err) {
      statusEl.textContent = "The camera could not be opened (" + err.name + ").";
    });
  });

  finishBtn.addEventListener("click", function () {
    clearInterval(timer);
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify({ type: "finish" })); }
    finishBtn.disabled = true;
  });
})();
