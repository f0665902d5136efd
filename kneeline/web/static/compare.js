// Plays two annotated videos rep by rep in sync (the compare page). No libraries.
// #sync carries data-reps = {"before": [[start, end], ...], "after": [[start, end], ...]}: matched reps.
// For each pair the earlier video plays its rep at normal speed; the later one starts its matching rep at
// the same moment with its playback rate set so that both reps end together.
(function () {
  "use strict";
  var box = document.getElementById("sync");
  if (!box) { return; }
  var reps = JSON.parse(box.getAttribute("data-reps") || "{}");
  var a = document.getElementById("video-before");
  var b = document.getElementById("video-after");
  var status = document.getElementById("sync-status");
  var pairs = Math.min((reps.before || []).length, (reps.after || []).length);
  var current = -1;
  var playAll = false;

  function say(text) { if (status) { status.textContent = text; } }

  function stop() {
    a.pause(); b.pause(); playAll = false; current = -1;
  }

  function start(i) {
    if (i >= pairs) { stop(); say("All reps played."); return; }
    current = i;
    var ra = reps.before[i], rb = reps.after[i];
    var durA = Math.max(0.05, ra[1] - ra[0]), durB = Math.max(0.05, rb[1] - rb[0]);
    a.playbackRate = 1;
    b.playbackRate = Math.min(4, Math.max(0.25, durB / durA));
    a.currentTime = ra[0];
    b.currentTime = rb[0];
    say("Rep " + (i + 1) + " of " + pairs);
    Promise.all([a.play(), b.play()]).catch(function () { say("The videos cannot play here."); });
  }

  a.addEventListener("timeupdate", function () {
    if (current < 0) { return; }
    if (a.currentTime >= reps.before[current][1]) {
      if (playAll) { start(current + 1); } else { a.pause(); b.pause(); current = -1; say("Rep done."); }
    }
  });
  b.addEventListener("timeupdate", function () {
    if (current >= 0 && b.currentTime >= reps.after[current][1]) { b.pause(); }
  });

  var all = document.getElementById("sync-play");
  if (all) { all.addEventListener("click", function () { playAll = true; start(0); }); }
  var pause = document.getElementById("sync-pause");
  if (pause) { pause.addEventListener("click", function () { stop(); say("Paused."); }); }
  Array.prototype.forEach.call(document.querySelectorAll(".sync-rep"), function (button) {
    button.addEventListener("click", function () {
      playAll = false;
      start(parseInt(button.getAttribute("data-pair"), 10));
    });
  });
}());
