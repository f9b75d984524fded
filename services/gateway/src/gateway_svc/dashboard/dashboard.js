// The dashboard: signs in through the API, draws the analytics figures with Plotly (served by the gateway),
// and redraws them when the live feeds say something changed. No build step, no framework.
"use strict";

const API = new URL("../api/v1", location.href).pathname; // behind a path prefix too
const FIGURES_FEED = `${API}/analytics/stream`;
const REDRAW_AFTER_MS = 250; // changes arriving together redraw once
const STORE = window.sessionStorage;

const state = { eventId: null, sources: [], redraw: null };
const $ = (selector) => document.querySelector(selector);

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
  }
}

async function call(method, path, body, retried) {
  const headers = { Accept: "application/json" };
  const token = STORE.getItem("accessToken");
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && !retried && (await refreshed())) return call(method, path, body, true);
  if (!response.ok) throw new Problem(response.status, payload);
  return payload && payload.data;
}

async function refreshed() {
  const refreshToken = STORE.getItem("refreshToken");
  if (!refreshToken) return false;
  try {
    keep(await call("POST", "/auth/refresh", { refreshToken }, true));
    return true;
  } catch {
    STORE.clear();
    return false;
  }
}

function keep(tokens) {
  STORE.setItem("accessToken", tokens.accessToken);
  STORE.setItem("refreshToken", tokens.refreshToken);
}

function show(signedIn) {
  $("#sign-in").hidden = signedIn;
  $("#board").hidden = !signedIn;
  $("#event-picker").hidden = !signedIn;
  $("#sign-out").hidden = !signedIn;
}

async function signIn(submitted) {
  submitted.preventDefault();
  const form = new FormData(submitted.target);
  try {
    STORE.clear();
    keep(await call("POST", "/auth/login", { identifier: form.get("identifier"), password: form.get("password") }, true));
    $("#sign-in-error").textContent = "";
    await start();
  } catch (error) {
    $("#sign-in-error").textContent = error.message;
  }
}

function signOut() {
  STORE.clear();
  closeFeeds();
  show(false);
}

async function start() {
  show(true);
  const events = (await call("GET", "/events?pageSize=100&sort=createdAt:desc")) || [];
  const picker = $("#event");
  picker.replaceChildren(new Option("All events", ""), ...events.map((event) => new Option(event.name, event.id)));
  const wanted = new URLSearchParams(location.search).get("eventId");
  state.eventId = events.some((event) => event.id === wanted) ? wanted : events.length ? events[0].id : null;
  picker.value = state.eventId || "";
  await draw();
  openFeeds();
}

function query(extra) {
  const params = new URLSearchParams(extra || {});
  if (state.eventId) params.set("eventId", state.eventId);
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function draw() {
  try {
    const [summary, funnel, statuses, throughput] = await Promise.all([
      call("GET", `/analytics/summary${query()}`),
      call("GET", `/analytics/funnel${query()}`),
      call("GET", `/analytics/status-distribution${query()}`),
      call("GET", `/analytics/throughput${query({ granularity: "hour" })}`),
    ]);
    drawSummary(summary);
    drawFunnel(funnel.stages);
    drawStatuses(statuses.statuses);
    drawThroughput(throughput.points);
    await drawOccupancy();
    $("#problem").textContent = "";
    document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
  } catch (error) {
    if (error.status === 401) return signOut();
    $("#problem").textContent = error.message;
  }
}

function drawSummary(summary) {
  for (const element of document.querySelectorAll("[data-metric]")) {
    const value = summary[element.dataset.metric];
    element.textContent = element.dataset.metric === "completionRate" ? `${value} %` : String(value);
    element.dataset.value = String(value);
  }
}

const LAYOUT = { margin: { t: 10, r: 10, b: 40, l: 40 }, showlegend: false };
const CONFIG = { displayModeBar: false, responsive: true };

function plot(id, traces, layout) {
  Plotly.react(id, traces, { ...LAYOUT, ...layout }, CONFIG);
}

function drawFunnel(stages) {
  plot("funnel", [{ type: "funnel", y: stages.map((s) => s.stage), x: stages.map((s) => s.count), textinfo: "value+percent initial" }]);
  $("#funnel").dataset.counts = JSON.stringify(stages.map((s) => s.count));
}

function drawStatuses(statuses) {
  plot("statuses", [
    { type: "pie", labels: statuses.map((s) => s.status), values: statuses.map((s) => s.count), marker: { colors: statuses.map((s) => s.color) }, hole: 0.4 },
  ]);
  $("#statuses").dataset.counts = JSON.stringify(Object.fromEntries(statuses.map((s) => [s.status, s.count])));
}

function drawThroughput(points) {
  const steps = [...new Set(points.map((p) => p.stepName))];
  plot(
    "throughput",
    steps.map((step) => {
      const mine = points.filter((p) => p.stepName === step);
      return { type: "bar", name: step, x: mine.map((p) => p.period), y: mine.map((p) => p.count) };
    }),
    { barmode: "stack", showlegend: true },
  );
}

const zones = new Map();

async function drawOccupancy() {
  zones.clear();
  if (state.eventId) {
    try {
      for (const zone of (await call("GET", `/events/${state.eventId}/occupancy`)).zones) zones.set(zone.zoneId || "event", zone);
    } catch (error) {
      if (error.status === 401) throw error; // no check-in at this event, or no right to see it: nothing to draw
    }
  }
  drawZones();
}

function drawZones() {
  const shown = [...zones.values()];
  plot(
    "occupancy",
    [
      { type: "bar", name: "inside", x: shown.map((z) => z.zoneId || "event"), y: shown.map((z) => z.currentCount) },
      { type: "bar", name: "capacity", x: shown.map((z) => z.zoneId || "event"), y: shown.map((z) => z.maxCapacity - z.currentCount), marker: { color: "#e4e7eb" } },
    ],
    { barmode: "stack" },
  );
}

function redrawSoon() {
  clearTimeout(state.redraw);
  state.redraw = setTimeout(draw, REDRAW_AFTER_MS);
}

function feed(path, handlers) {
  const separator = path.includes("?") ? "&" : "?";
  const source = new EventSource(`${path}${separator}access_token=${encodeURIComponent(STORE.getItem("accessToken"))}`);
  source.onopen = () => ($("#live").dataset.state = "on");
  for (const [name, handle] of Object.entries(handlers)) source.addEventListener(name, handle);
  source.addEventListener("stream:closed", () => {
    source.close();
    $("#live").dataset.state = "off";
    setTimeout(async () => (await refreshed()) && openFeeds(), 1000); // an expired token: a new one, then again
  });
  state.sources.push(source);
}

function openFeeds() {
  closeFeeds();
  feed(FIGURES_FEED, { "analytics:changed": redrawSoon });
  if (state.eventId) {
    feed(`${API}/events/${state.eventId}/occupancy/stream`, {
      "occupancy:updated": (message) => {
        const zone = JSON.parse(message.data);
        zones.set(zone.zoneId || "event", zone);
        drawZones();
      },
    });
  }
}

function closeFeeds() {
  for (const source of state.sources) source.close();
  state.sources = [];
}

$("#sign-in").addEventListener("submit", signIn);
$("#sign-out").addEventListener("click", signOut);
$("#event").addEventListener("change", async (changed) => {
  state.eventId = changed.target.value || null;
  await draw();
  openFeeds();
});
if (STORE.getItem("accessToken")) start().catch(signOut);
else show(false);
