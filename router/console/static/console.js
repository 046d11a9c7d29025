// The console's live updates: each page's #live region is fetched again every few seconds
// (?fragment=1) unless the agent is typing in it, and SLA countdowns tick every second.
"use strict";

function remaining(seconds) {
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const text = d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
  return seconds >= 0 ? `${text} left` : `overdue ${text}`;
}

function tick() {
  const now = Date.now() / 1000;
  for (const el of document.querySelectorAll(".sla[data-deadline]")) {
    const deadline = parseFloat(el.dataset.deadline);
    const warn = el.dataset.warn ? parseFloat(el.dataset.warn) : deadline;
    const colour = now >= deadline ? "red" : now >= warn ? "yellow" : "green";
    if (!el.classList.contains("sla-red")) {  // the tracker's verdict never turns back
      el.classList.remove("sla-green", "sla-yellow");
      el.classList.add("sla-" + colour);
    }
    let left = el.querySelector(".left");
    if (!left) {
      left = document.createElement("span");
      left.className = "left";
      el.append(" · ", left);
    }
    left.textContent = remaining(deadline - now);
  }
}

function busy(live) {
  if (live.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
    return true;
  }
  for (const field of live.querySelectorAll("input[type=text], input:not([type]), textarea, input[type=datetime-local]")) {
    if (field.value !== field.defaultValue) return true;
  }
  for (const field of live.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    if (field.checked !== field.defaultChecked) return true;
  }
  return false;
}

async function refresh(live) {
  if (document.hidden || busy(live)) return;
  const url = new URL(window.location.href);
  url.searchParams.set("fragment", "1");
  url.searchParams.delete("notice");
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (response.redirected || response.status === 401 || response.status === 403) {
      window.location.reload();
      return;
    }
    if (!response.ok) return;
    const html = await response.text();
    if (html !== live.dataset.last && !busy(live)) {
      live.innerHTML = html;
      live.dataset.last = html;
      tick();
    }
  } catch (e) {
    // offline for a moment: try again on the next round
  }
}

document.addEventListener("DOMContentLoaded", () => {
  tick();
  setInterval(tick, 1000);
  const live = document.getElementById("live");
  if (live && live.dataset.refreshMs) {
    setInterval(() => refresh(live), parseInt(live.dataset.refreshMs, 10));
  }
});
