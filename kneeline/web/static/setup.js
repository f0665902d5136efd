// Setup assistant: streams the camera preview to /setup/ws and lists kneeline's checks as plain
// instructions. When every check has been met for a while (the server says "ready") it counts down
// and calls onStart(). Used by record.js and live.js.
(function () {
  "use strict";
  var FPS = 12, WIDTH = 480;
  var MARK = { "true": "Done", "false": "To do", "null": "Checking" };

  function create(opts) {
    // opts: video, view, onStart(), onLost(reason); list (<ul>), summary (aria-live element) and countdown
    // default to the page's #setup-checks, #setup-summary and #setup-countdown (_setup_checks.html)
    opts.list = opts.list || document.getElementById("setup-checks");
    opts.summary = opts.summary || document.getElementById("setup-summary");
    opts.countdown = opts.countdown || document.getElementById("setup-countdown");
    var canvas = document.createElement("canvas");
    var ws = null, timer = null, busy = false, last = null, shown = {}, counting = null, stopped = true;
    var history = [];
    window.kneelineSetupHistory = history;

    var sender = frameSender(opts.video, canvas, function () { busy = false; });

    function sendFrame() {
      if (!busy && sender(ws)) { busy = true; }
    }

    function render(setup) {
      var states = {};
      setup.checks.forEach(function (c) {
        var key = String(c.ok);
        states[c.id] = { ok: c.ok, message: c.message };
        var li = opts.list.querySelector('li[data-id="' + c.id + '"]');
        if (!li) {
          li = document.createElement("li");
          li.setAttribute("data-id", c.id);
          opts.list.appendChild(li);
        }
        var text = MARK[key] + " – " + c.label + ": " + c.message;
        if (shown[c.id] !== text) {
          li.textContent = text;
          li.setAttribute("data-ok", key);
          li.className = c.ok === true ? "setup-ok" : (c.ok === false ? "setup-fix" : "setup-wait");
          shown[c.id] = text;
        }
      });
      history.push(states);  // read by the browser tests
      if (history.length > 2000) { history.shift(); }
      var todo = setup.checks.filter(function (c) { return c.ok !== true; });
      var summary = todo.length ? (setup.checks.length - todo.length) + " of " + setup.checks.length +
        " checks met. Next: " + todo[0].message : "Every check is met. Hold still.";
      if (opts.summary.textContent !== summary && !counting) { opts.summary.textContent = summary; }
    }

    function cancelCountdown(reason) {
      if (!counting) { return; }
      clearInterval(counting);
      counting = null;
      opts.countdown.textContent = reason;
    }

    function countdown(seconds) {
      var left = Math.round(seconds);
      opts.countdown.textContent = "All set. Starting in " + left + "…";
      counting = setInterval(function () {
        left -= 1;
        if (left > 0) { opts.countdown.textContent = "Starting in " + left + "…"; return; }
        clearInterval(counting);
        counting = null;
        opts.countdown.textContent = "Started.";
        stop();
        opts.onStart();
      }, 1000);
    }

    function onMessage(ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "error") { busy = false; return; }
      if (msg.type !== "setup") { return; }
      busy = false;
      last = msg.setup;
      render(last);
      if (!last.all_ok) { cancelCountdown("Countdown stopped: " + (last.checks.filter(function (c) { return c.ok !== true; })[0] || {}).message); }
      else if (last.ready && !counting && !stopped) { countdown(last.countdown_s); }
    }

    function start() {
      stopped = false;
      opts.list.hidden = false;
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      ws = new WebSocket(proto + location.host + "/setup/ws?view=" + encodeURIComponent(opts.view));
      ws.binaryType = "arraybuffer";
      ws.onopen = function () { timer = setInterval(sendFrame, 1000 / FPS); };
      ws.onmessage = onMessage;
      ws.onclose = function (ev) {
        clearInterval(timer);
        if (!stopped) {
          stopped = true;
          cancelCountdown("");
          opts.onLost(ev.reason || "the connection to kneeline closed");
        }
      };
    }

    function stop() {
      stopped = true;
      clearInterval(timer);
      if (counting) { cancelCountdown(""); }
      if (ws && ws.readyState <= 1) { ws.close(); }
      ws = null;
    }

    // ids of the checks not met now ("unchecked" when no answer came yet)
    function unmet() {
      if (!last) { return ["unchecked"]; }
      return last.checks.filter(function (c) { return c.ok !== true; }).map(function (c) { return c.id; });
    }

    return { start: start, stop: stop, unmet: unmet };
  }

  // A clear message for a camera that cannot be opened; the page offers the upload path next to it.
  // frameSender(video, canvas, onDropped) -> send(ws): draws the current video frame reduced to WIDTH px
  // and sends it as one binary message (float64 capture time in ms, then the JPEG); returns true if a
  // frame is on its way. The caller allows one frame in flight and clears its flag when the server
  // answers, or when onDropped() says the frame could not be encoded or sent.
  function frameSender(video, canvas, onDropped) {
    return function send(ws) {
      if (!ws || ws.readyState !== 1 || !video.videoWidth) { return false; }
      var scale = Math.min(1, WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      var t = performance.now();
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob || !ws || ws.readyState !== 1) { onDropped(); return; }
        blob.arrayBuffer().then(function (buf) {
          var out = new Uint8Array(8 + buf.byteLength);
          new DataView(out.buffer).setFloat64(0, t, true);
          out.set(new Uint8Array(buf), 8);
          ws.send(out.buffer);
        });
      }, "image/jpeg", 0.7);
      return true;
    };
  }

  function cameraError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "kneeline may not use the camera: the permission was refused. Allow the camera for this site in " +
        "your browser's settings and try again, or upload a video file instead.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera was found. Connect a camera and try again, or upload a video file instead.";
    }
    if (name === "NotReadableError") {
      return "The camera is busy (another app or tab is using it). Close it and try again, or upload a video file instead.";
    }
    return "The camera could not be opened (" + (name || "unknown error") + "). Upload a video file instead.";
  }

  var STOPPED = "The camera stopped (unplugged, or taken by another app). Plug it in and turn the camera on " +
    "again, or upload a video file instead.";

  // Why this page cannot use the camera at all (null when it can).  Browsers offer the camera only to
  // pages of this computer (127.0.0.1, localhost) or over https://: a phone opening the server by its
  // network address (http://192.168.x.x:8000) has no navigator.mediaDevices.
  function cameraUnavailable() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "This browser lets a page use the camera only on the computer running kneeline (address " +
        "127.0.0.1 or localhost) or over a secure https:// address. On a phone, upload a video file instead: " +
        "the upload button can open the phone's own camera app.";
    }
    return null;
  }

  window.KneelineSetup = { create: create, cameraError: cameraError, cameraStopped: STOPPED,
                           cameraUnavailable: cameraUnavailable,
                           frameSender: frameSender, FPS: FPS };
})();
