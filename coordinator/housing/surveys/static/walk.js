/* The walk list on the phone: each result is saved in IndexedDB with an id made here, and
   the saved results are sent in the order they were made whenever the phone is online
   (the `online` event, a retry timer, each new result). The server takes a result once
   whatever the number of times it is sent. A page kept long ago may carry a CSRF token
   the server no longer takes (its key changed): the result stays queued, the page's
   token is read again from the server and the result sent with it. A link replaced
   meanwhile (a new one sent to the same person) keeps its results queued on the phone,
   and the new link's page sends them as the same person's. */
"use strict";

(function () {
  const root = document.querySelector("[data-walk]");
  if (!root) {
    return;
  }
  const POST = root.dataset.post;
  const PERSON = root.dataset.person;
  const EXPIRED = "/page-expired";
  const GONE = "/link-invalid";
  // Problems in the page's language, whatever the phone's.
  const LANG = document.documentElement.lang || "zh-CN";
  let csrf = root.dataset.csrf;
  let expired = false;
  let gone = false;
  const RETRY = Math.max(1, Number(root.dataset.retry || "20")) * 1000;
  const text = (name) => root.dataset["text" + name[0].toUpperCase() + name.slice(1)] || name;
  const STORE = "results";
  let sending = false;
  let again = false; // asked to send while sending: go round once more, not wait a retry

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(root.dataset.worker, { scope: location.pathname })
      .catch(() => undefined);
  }

  function newId() {
    if (crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("fumin-walk", 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("post", "post");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // This page's results, and those still queued that its holder made through a link of
  // theirs since replaced: sent through this one, the server takes them once by their id.
  function mine(item) {
    return item.post === POST || (item.person === PERSON && item.status === "queued");
  }

  async function all() {
    const db = await open();
    return new Promise((resolve, reject) => {
      const request = db.transaction(STORE).objectStore(STORE).getAll();
      request.onsuccess = () => resolve(request.result.filter(mine).sort((a, b) => a.seq - b.seq));
      request.onerror = () => reject(request.error);
    });
  }

  async function put(item) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(item);
      tx.oncomplete = () => resolve(item);
      tx.onerror = () => reject(tx.error);
    });
  }

  function card(dwellingId) {
    return root.querySelector(`.door[data-dwelling="${dwellingId}"]`);
  }

  function show(item) {
    const door = card(item.body.dwelling_id);
    if (!door) {
      return;
    }
    if (item.status === "sent" && !item.answer.conflict) {
      const version = Math.max(Number(door.dataset.version), item.answer.version_after);
      door.dataset.version = String(version);
    }
    const local = door.querySelector("[data-local]");
    let words = text(item.status);
    if (item.status === "sent" && item.answer.conflict) {
      words = text("conflict");
    }
    if (item.status === "refused" && item.problem) {
      words += `：${item.problem}`;
    }
    local.textContent = words;
    local.dataset.status = item.status === "sent" && item.answer.conflict ? "conflict" : item.status;
    local.dataset.result = item.id;
  }

  async function render() {
    const items = await all();
    items.forEach(show);
    root.querySelector("[data-queued]").textContent = String(
      items.filter((i) => i.status === "queued").length
    );
    root.querySelector("[data-sent]").textContent = String(
      items.filter((i) => i.status === "sent").length
    );
    const online = navigator.onLine;
    const connection = root.querySelector("[data-connection]");
    const words = expired ? text("expired") : text("online");
    connection.textContent = !online ? text("offline") : gone ? text("gone") : words;
    connection.dataset.online = String(online);
    connection.dataset.expired = String(expired);
    connection.dataset.gone = String(gone);
  }

  function post(body) {
    return fetch(POST, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrf,
        "Accept-Language": LANG,
      },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  async function refusedAs(response, status, type) {
    if (response.status !== status) {
      return false;
    }
    const answer = await response.clone().json().catch(() => ({}));
    return String(answer.type || "").endsWith(type);
  }

  function isExpired(response) {
    return refusedAs(response, 403, EXPIRED);
  }

  async function freshToken() {
    // The page as the server gives it now (not the kept copy): the token it takes.
    try {
      const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) {
        return false;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const found = page.querySelector("[data-walk]");
      const token = found ? found.dataset.csrf : "";
      if (!token || token === csrf) {
        return false;
      }
      csrf = token;
      return true;
    } catch (error) {
      return false;
    }
  }

  async function send(item, items) {
    const body = Object.assign({}, item.body);
    const before = item.after && items.find((i) => i.id === item.after);
    if (before && before.status === "sent" && !before.answer.conflict) {
      body.base_version = before.answer.version_after;
    }
    let response = await post(body);
    if ((await isExpired(response)) && (await freshToken())) {
      response = await post(body);
    }
    if (await isExpired(response)) {
      expired = true; // kept queued: sent once the server gives the page's token again
      return false;
    }
    expired = false;
    gone = await refusedAs(response, 404, GONE);
    if (gone || response.status === 429 || response.status >= 500) {
      return false; // kept queued: a link of theirs that works sends it (gone), or later
    }
    const answer = await response.json();
    item.post = POST;
    if (response.ok) {
      item.status = "sent";
      item.answer = answer;
      item.body.note = null; // the server has it: free text about a home leaves the phone
    } else {
      item.status = "refused";
      item.problem = answer.detail || String(response.status);
    }
    await put(item);
    return true;
  }

  async function flush() {
    if (sending || !navigator.onLine) {
      again = sending;
      await render();
      return;
    }
    sending = true;
    try {
      do {
        again = false;
        const items = await all();
        for (const item of items.filter((i) => i.status === "queued")) {
          if (!(await send(item, items))) {
            again = false; // the server said later, or the page expired: the timer retries
            break;
          }
        }
      } while (again);
    } catch (error) {
      /* no connection after all: the next try sends what is left */
    } finally {
      sending = false;
      await render();
    }
  }

  async function record(form) {
    const data = new FormData(form);
    const dwellingId = form.dataset.dwelling;
    const code = data.get("code");
    const occupants = String(data.get("occupants") || "").trim();
    const note = String(data.get("note") || "").trim();
    const items = await all();
    const pending = items.filter((i) => i.status === "queued" && i.body.dwelling_id === dwellingId);
    const id = newId();
    // After every result kept so far, even if the phone's clock was set back meanwhile.
    const last = items.reduce((most, i) => Math.max(most, i.seq), 0);
    const item = {
      id: id,
      post: POST,
      person: PERSON,
      seq: Math.max(Date.now() * 1000, last + 1),
      status: "queued",
      after: pending.length ? pending[pending.length - 1].id : null,
      body: {
        id: id,
        campaign_id: form.dataset.campaign,
        dwelling_id: dwellingId,
        code: code,
        state: ["confirmed", "changed", "moved_out"].includes(code) ? data.get("state") : null,
        occupants: occupants === "" ? null : Number(occupants),
        note: note === "" ? null : note,
        base_version: Number(card(dwellingId).dataset.version),
        recorded_at: new Date().toISOString(),
      },
    };
    await put(item);
    form.reset();
    form.closest("details").open = false;
    await render();
    await flush();
  }

  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-result]");
    if (form) {
      event.preventDefault();
      record(form);
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  setInterval(flush, RETRY);
  flush();
})();
