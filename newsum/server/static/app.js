/* newsum web page: paste or drop a story, summarize it with the API, show the highlights
   in the full story using each sentence's start16/end16 offsets (UTF-16 code units, the unit of
   JavaScript strings; start/end count code points). No dependencies. */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const els = {
    form: $("form"),
    story: $("story"),
    dropzone: $("dropzone"),
    file: $("file"),
    fileCard: $("file-card"),
    fileCardName: $("file-card-name"),
    fileCardTitle: $("file-card-title"),
    fileInfo: $("file-info"),
    method: $("method"),
    length: $("length"),
    unit: $("unit"),
    submit: $("submit"),
    error: $("error"),
    empty: $("empty-state"),
    summaryPanel: $("summary-panel"),
    storyPanel: $("story-panel"),
    headline: $("headline"),
    highlights: $("highlights"),
    meta: $("meta"),
    storyView: $("story-view"),
    status: $("status"),
    statusText: $("status-text"),
    toast: $("toast"),
  };
  const REQUEST_TIMEOUT_MS = 60000;
  let last = null; // {request, response, name}
  let fileName = null;
  let fileIsHtml = false; // the text box holds a .html file: send it as a web page
  let loadedHtml = null; // a web page loaded from a file, shown as a card, not as markup

  // ---------------------------------------------------------------- helpers

  // The same test the server's readers use: a page opens with <!doctype html> or <html>.
  const HTML_START = /^\ufeff?\s*(?:<\?xml[^>]*>\s*|<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)[\s>]/i;
  function looksLikeHtml(text) {
    return HTML_START.test(text.slice(0, 4096));
  }

  function showError(message) {
    els.error.textContent = message;
    els.error.hidden = !message;
  }

  let toastTimer = null;
  function toast(message) {
    els.toast.textContent = message;
    els.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { els.toast.hidden = true; }, 1800);
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function wordCount(text) {
    const m = text.match(/\S+/g);
    return m ? m.length : 0;
  }

  function summaryText(result) {
    const lines = result.sentences.map((s) => s.text);
    return (result.title ? result.title + "\n\n" : "") + lines.join("\n") + "\n";
  }

  function baseName() {
    const base = (fileName || (last && last.response.title) || "story")
      .replace(/\.[^.]+$/, "")
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60);
    return (base || "story") + "-summary";
  }

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea"); // plain-http fallback
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    if (!ok) throw new Error("copy refused");
  }

  // ---------------------------------------------------------------- server info

  async function loadMethods() {
    try {
      const res = await fetch("/v1/methods");
      const data = await res.json();
      els.method.textContent = "";
      for (const m of data.methods) {
        const opt = document.createElement("option");
        opt.value = m.name;
        opt.textContent = m.name + (m.default ? " (default)" : "");
        opt.title = m.description;
        opt.selected = !!m.default;
        els.method.appendChild(opt);
      }
    } catch (err) {
      /* keep the "Default" option: the server picks its default method */
    }
  }

  async function checkHealth() {
    try {
      const res = await fetch("/healthz", { cache: "no-store" });
      const data = await res.json();
      els.status.className = "status ok";
      els.statusText.textContent = "Server v" + data.version;
    } catch (err) {
      els.status.className = "status down";
      els.statusText.textContent = "Server unreachable";
    }
  }

  // ---------------------------------------------------------------- input

  async function loadFile(file) {
    if (!file) return;
    if (file.size > 2 * 1024 * 1024) {
      showError(`${file.name} is larger than 2 MB, the server's limit.`);
      return;
    }
    const text = await file.text();
    fileName = file.name;
    const html = /\.html?$/i.test(file.name) || file.type === "text/html" || looksLikeHtml(text);
    fileIsHtml = false;
    if (html) {
      showHtmlCard(file, text);
    } else {
      hideHtmlCard();
      els.story.value = text;
    }
    const size = file.size < 1024 ? `${file.size} bytes` : `${Math.round(file.size / 1024)} KB`;
    els.fileInfo.textContent = `${file.name} · ${html ? "web page" : "plain text"} · ${size}`;
    els.fileInfo.classList.add("loaded");
    showError("");
  }

  function showHtmlCard(file, text) {
    loadedHtml = text;
    // DOMParser builds an inert document (no scripts run, nothing loads): just read <title>.
    const title = new DOMParser().parseFromString(text, "text/html").title.trim();
    els.fileCardName.textContent = file.name;
    els.fileCardTitle.textContent = title;
    els.fileCardTitle.hidden = !title;
    els.fileCard.hidden = false;
    els.story.hidden = true;
    els.story.value = "";
  }

  function hideHtmlCard() {
    loadedHtml = null;
    els.fileCard.hidden = true;
    els.story.hidden = false;
  }

  function bindDrop() {
    let depth = 0;
    const zone = els.dropzone;
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => e.preventDefault());
    zone.addEventListener("dragenter", (e) => {
      e.preventDefault();
      depth += 1;
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove("dragging");
      const file = e.dataTransfer && e.dataTransfer.files[0];
      if (file) loadFile(file);
    });
    els.file.addEventListener("change", () => {
      loadFile(els.file.files[0]);
      els.file.value = "";
    });
  }

  function buildRequest() {
    const text = loadedHtml !== null ? loadedHtml : els.story.value;
    if (!text.trim()) throw new Error("Paste a story or drop a file first.");
    const html = loadedHtml !== null || fileIsHtml || looksLikeHtml(text);
    const body = html ? { html: text } : { text };
    if (els.method.value) body.method = els.method.value;
    const n = Number(els.length.value);
    if (!Number.isFinite(n) || n <= 0) throw new Error("Length must be a positive number.");
    if (els.unit.value === "sentences") body.sentences = Math.round(n);
    else if (els.unit.value === "words") body.words = Math.round(n);
    else body.ratio = Math.min(100, n) / 100;
    body.include_text = true;
    return body;
  }

  // The story as the page holds it, for the check mode (check.js): {text} or {html}.
  window.newsumStory = function () {
    const text = loadedHtml !== null ? loadedHtml : els.story.value;
    const html = loadedHtml !== null || fileIsHtml || looksLikeHtml(text);
    return html ? { html: text } : { text };
  };

  // ---------------------------------------------------------------- summarize

  async function summarize() {
    showError("");
    let body;
    try {
      body = buildRequest();
    } catch (err) {
      showError(err.message);
      return;
    }
    // An llm request waits on a language model: give it longer than the extractive methods.
    const wait = body.method === "llm" ? 10 * REQUEST_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
    const data = await postJson("/v1/summarize", body, els.submit, wait, "summarize");
    if (!data) return;
    last = { request: body, response: data };
    render(data, body.text !== undefined ? body.text : null);
  }

  // POST a JSON body: the parsed answer, or null once the error is shown. One place for the busy
  // button, the time limit and the wording of errors, for both modes (check.js uses it too).
  async function postJson(path, body, button, timeoutMs, what) {
    button.disabled = true;
    button.classList.add("busy");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      let data = null;
      try {
        data = await res.json();
      } catch (err) {
        data = null;
      }
      if (!res.ok) {
        const why = data && data.error ? data.error : `the server answered ${res.status}`;
        throw new Error(`Could not ${what}: ` + why);
      }
      return data;
    } catch (err) {
      showError(err.name === "AbortError" ? "The server took too long to answer." :
        err instanceof TypeError ? "Cannot reach the newsum server." : err.message);
      return null;
    } finally {
      clearTimeout(timer);
      button.disabled = false;
      button.classList.remove("busy");
    }
  }
  window.newsumPost = postJson;

  function render(result, submitted) {
    const story = typeof result.text === "string" ? result.text : submitted || "";
    const rank = new Map(result.sentences.map((s, i) => [s.index, i + 1]));

    els.headline.textContent = result.title || "";
    els.headline.hidden = !result.title;

    els.highlights.textContent = "";
    if (result.story_sentences) {
      renderAbstractive(result, story);
      return;
    }
    for (const s of result.sentences) {
      const li = document.createElement("li");
      li.tabIndex = 0;
      li.dataset.index = String(s.index);
      li.appendChild(document.createTextNode(s.text));
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = `Sentence ${s.index + 1} of ${result.document.sentences}`;
      li.appendChild(where);
      li.addEventListener("click", () => jumpTo(s.index));
      li.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          jumpTo(s.index);
        }
      });
      els.highlights.appendChild(li);
    }
    if (!result.sentences.length) {
      const li = document.createElement("li");
      li.textContent = "No sentence fits the length asked for.";
      els.highlights.appendChild(li);
    }

    const words = result.sentences.reduce((n, s) => n + wordCount(s.text), 0);
    const doc = result.document;
    const parts = [
      `${result.sentences.length} of ${plural(doc.sentences, "sentence")}`,
      plural(words, "word"),
      doc.input === "html" ? "story extracted from HTML" : null,
      `${result.elapsed_ms.toFixed(1)} ms`,
    ].filter(Boolean);
    els.meta.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = result.method;
    els.meta.append("Method ", strong, " · " + parts.join(" · "));

    // The story, with each chosen sentence's [start16, end16) span wrapped in a <mark>.
    // JavaScript strings index UTF-16 code units, so these are the offsets to slice with.
    const view = els.storyView;
    view.textContent = "";
    const spans = [...result.sentences].sort((a, b) => a.start16 - b.start16);
    let pos = 0;
    for (const s of spans) {
      if (s.start16 < pos || s.end16 > story.length) continue; // never overlap; stay inside
      if (s.start16 > pos) view.appendChild(document.createTextNode(story.slice(pos, s.start16)));
      const mark = document.createElement("mark");
      mark.className = "hl";
      mark.id = "s-" + s.index;
      mark.dataset.index = String(s.index);
      mark.dataset.n = String(rank.get(s.index));
      mark.title = `Highlight ${rank.get(s.index)} · score ${s.score}`;
      mark.textContent = story.slice(s.start16, s.end16);
      view.appendChild(mark);
      pos = s.end16;
    }
    if (pos < story.length) view.appendChild(document.createTextNode(story.slice(pos)));

    els.empty.hidden = true;
    els.summaryPanel.hidden = false;
    els.storyPanel.hidden = false;
    if (window.matchMedia("(max-width: 1000px)").matches) {
      els.summaryPanel.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  // An abstractive (llm) summary: each highlight with its unsupported spans marked and links
  // to its source sentences, which are marked in the story (start16/end16, UTF-16 units).
  function renderAbstractive(result, story) {
    const users = new Map(); // story sentence index -> highlight numbers
    result.sentences.forEach((s, k) => {
      const li = document.createElement("li");
      li.className = "abstractive " + (s.supported ? "supported" : "unsupported");
      li.append(window.newsumMarkedSentence({ text: s.text, unsupported: s.unsupported || [] }));
      const where = document.createElement("span");
      where.className = "where";
      const verdict = s.supported ? "supported" : "not supported";
      where.append(`${verdict} · ${s.score.toFixed(2)} · sources: `);
      window.newsumSourceLinks(where, s.sources || [], k + 1, users, jumpTo);
      li.append(where);
      els.highlights.appendChild(li);
    });
    const llm = (result.settings && result.settings.llm) || {};
    els.meta.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = result.method;
    const parts = [llm.model, plural(result.sentences.length, "highlight"),
      `${result.elapsed_ms.toFixed(1)} ms`].filter(Boolean);
    els.meta.append("Method ", strong, " · " + parts.join(" · "));
    const view = els.storyView;
    view.textContent = "";
    let pos = 0;
    for (const s of [...result.story_sentences].sort((a, b) => a.start16 - b.start16)) {
      if (s.start16 < pos || s.end16 > story.length) continue;
      if (s.start16 > pos) view.appendChild(document.createTextNode(story.slice(pos, s.start16)));
      const mark = document.createElement("mark");
      mark.className = "hl";
      mark.id = "s-" + s.index;
      mark.dataset.n = (users.get(s.index) || []).join(",");
      mark.title = `Story sentence ${s.index + 1} · source of highlight ${mark.dataset.n}`;
      mark.textContent = story.slice(s.start16, s.end16);
      view.appendChild(mark);
      pos = s.end16;
    }
    if (pos < story.length) view.appendChild(document.createTextNode(story.slice(pos)));
    els.headline.textContent = result.title || "";
    els.headline.hidden = !result.title;
    els.empty.hidden = true;
    els.summaryPanel.hidden = false;
    els.storyPanel.hidden = false;
  }

  function jumpTo(index) {
    const mark = document.getElementById("s-" + index);
    if (!mark) return;
    mark.scrollIntoView({ behavior: "smooth", block: "center" });
    mark.classList.add("flash");
    setTimeout(() => mark.classList.remove("flash"), 1400);
  }

  // ---------------------------------------------------------------- actions

  function bindActions() {
    els.form.addEventListener("submit", (e) => {
      e.preventDefault();
      summarize();
    });
    els.story.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        summarize();
      }
    });
    els.story.addEventListener("input", () => {
      if (!/<[a-z!]/i.test(els.story.value)) fileIsHtml = false; // no markup left
      if (!els.story.value) {
        fileName = null;
        els.fileInfo.textContent = "Plain text or a saved web page (.txt, .html).";
        els.fileInfo.classList.remove("loaded");
      }
    });
    $("file-source").addEventListener("click", () => {
      const html = loadedHtml;
      hideHtmlCard();
      els.story.value = html || "";
      fileIsHtml = true;
      els.story.focus();
    });
    $("file-remove").addEventListener("click", () => {
      hideHtmlCard();
      els.story.value = "";
      els.story.dispatchEvent(new Event("input"));
      els.story.focus();
    });
    $("clear-button").addEventListener("click", () => {
      hideHtmlCard();
      els.story.value = "";
      els.story.dispatchEvent(new Event("input"));
      showError("");
      els.story.focus();
    });
    $("sample-button").addEventListener("click", async () => {
      try {
        const res = await fetch("/static/sample.txt");
        hideHtmlCard();
        els.story.value = await res.text();
        fileName = "sample";
        fileIsHtml = false;
        els.fileInfo.textContent = "Sample story · plain text";
        els.fileInfo.classList.add("loaded");
        showError("");
      } catch (err) {
        showError("Could not load the sample story.");
      }
    });
    els.unit.addEventListener("change", () => {
      const defaults = { sentences: 3, words: 75, ratio: 20 };
      els.length.value = defaults[els.unit.value];
      els.length.max = els.unit.value === "ratio" ? "100" : "";
    });
    $("copy-button").addEventListener("click", async () => {
      if (!last) return;
      try {
        await copyText(summaryText(last.response));
        toast("Summary copied");
      } catch (err) {
        toast("Copy failed: select the text instead");
      }
    });
    $("txt-button").addEventListener("click", () => {
      if (last) download(baseName() + ".txt", "text/plain;charset=utf-8", summaryText(last.response));
    });
    $("json-button").addEventListener("click", () => {
      if (!last) return;
      const { text, ...rest } = last.response;
      const content = JSON.stringify({ ...rest, text }, null, 2) + "\n";
      download(baseName() + ".json", "application/json", content);
    });
  }

  bindDrop();
  bindActions();
  loadMethods();
  checkHealth();
})();
