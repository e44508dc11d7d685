/* newsum web page, "Check a summary" mode: send the story and a summary to POST /v1/check,
   mark the spans the story does not support in each summary sentence and highlight the story
   sentences each one rests on. Offsets from the server count code points (Python), so text is
   sliced with Array.from, not with UTF-16 string indices. No dependencies. */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const REQUEST_TIMEOUT_MS = 60000;
  const REASONS = {
    absent: "not in the story",
    elsewhere: "in the story, but not in the sentences this one rests on",
  };

  function setMode(check) {
    document.body.classList.toggle("mode-check", check);
    $("mode-check").setAttribute("aria-selected", String(check));
    $("mode-summarize").setAttribute("aria-selected", String(!check));
    $("error").hidden = true;
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function slice(codepoints, start, end) {
    return codepoints.slice(start, end).join("");
  }

  async function runCheck() {
    showError("");
    const story = window.newsumStory ? window.newsumStory() : { text: $("story").value };
    const summary = $("summary-input").value;
    if (!(story.text || story.html || "").trim()) {
      showError("Paste a story or drop a file first.");
      return;
    }
    if (!summary.trim()) {
      showError("Paste the summary to check.");
      return;
    }
    const body = story.html !== undefined ? { html: story.html } : { story: story.text };
    body.summary = summary;
    const data = await window.newsumPost(
      "/v1/check", body, $("check-submit"), REQUEST_TIMEOUT_MS, "check");
    if (data) render(data);
  }

  function markedSentence(s) {
    // The sentence text with each unsupported span in a <mark class="unsup">.
    const frag = document.createDocumentFragment();
    const cps = Array.from(s.text);
    let pos = 0;
    for (const span of [...s.unsupported].sort((a, b) => a.start - b.start)) {
      if (span.start < pos || span.end > cps.length) continue;
      if (span.start > pos) frag.append(slice(cps, pos, span.start));
      const mark = document.createElement("mark");
      mark.className = "unsup " + span.reason;
      mark.title = `${span.type}: ${REASONS[span.reason] || span.reason}`;
      mark.textContent = slice(cps, span.start, span.end);
      frag.append(mark);
      pos = span.end;
    }
    if (pos < cps.length) frag.append(slice(cps, pos));
    return frag;
  }

  function render(result) {
    const supported = result.sentences.filter((s) => s.supported).length;
    $("check-score").textContent =
      `score ${result.score.toFixed(2)} · ${supported} of ${result.sentences.length} supported`;
    $("check-score").className = "check-score " + (result.supported ? "ok" : "bad");

    const list = $("checked");
    list.textContent = "";
    const usedBy = new Map(); // story sentence index -> summary sentence numbers
    result.sentences.forEach((s, k) => {
      const li = document.createElement("li");
      li.className = s.supported ? "supported" : "unsupported";
      const verdict = document.createElement("span");
      verdict.className = "verdict";
      verdict.textContent = (s.supported ? "supported" : "not supported") + ` · ${s.score.toFixed(2)}`;
      const text = document.createElement("span");
      text.className = "checked-text";
      text.append(markedSentence(s));
      li.append(verdict, text);
      const where = document.createElement("span");
      where.className = "where";
      if (s.sources.length) {
        where.append("Sources: ");
        sourceLinks(where, s.sources, k + 1, usedBy, jumpTo);
      } else {
        where.textContent = "No story sentence shares its words.";
      }
      li.append(where);
      list.append(li);
    });

    // The story with each cited sentence's [start, end) span in a <mark class="src">.
    const view = $("check-story-view");
    view.textContent = "";
    const cps = Array.from(result.text);
    let pos = 0;
    for (const s of [...result.story_sentences].sort((a, b) => a.start - b.start)) {
      if (s.start < pos || s.end > cps.length) continue;
      if (s.start > pos) view.append(slice(cps, pos, s.start));
      const mark = document.createElement("mark");
      mark.className = "src";
      mark.id = "c-" + s.index;
      const users = usedBy.get(s.index) || [];
      mark.dataset.n = users.join(",");
      mark.title = `Story sentence ${s.index + 1} · supports summary sentence ${users.join(", ")}`;
      mark.textContent = slice(cps, s.start, s.end);
      view.append(mark);
      pos = s.end;
    }
    if (pos < cps.length) view.append(slice(cps, pos));

    $("check-meta").textContent = `${result.elapsed_ms.toFixed(1)} ms`;
    $("check-panel").hidden = false;
    $("check-story-panel").hidden = false;
  }

  // "sentence N" buttons after `where`, one per source, each jumping to its story sentence;
  // `usedBy` records which highlights (numbered from 1) cite each story sentence.
  function sourceLinks(where, sources, highlight, usedBy, jump) {
    sources.forEach((j, i) => {
      if (!usedBy.has(j)) usedBy.set(j, []);
      usedBy.get(j).push(highlight);
      const link = document.createElement("button");
      link.type = "button";
      link.className = "link-button source-link";
      link.textContent = `sentence ${j + 1}`;
      link.addEventListener("click", () => jump(j));
      where.append(link);
      if (i < sources.length - 1) where.append(", ");
    });
  }

  function jumpTo(index) {
    const mark = document.getElementById("c-" + index);
    if (!mark) return;
    mark.scrollIntoView({ behavior: "smooth", block: "center" });
    mark.classList.add("flash");
    setTimeout(() => mark.classList.remove("flash"), 1400);
  }

  $("mode-summarize").addEventListener("click", () => setMode(false));
  $("mode-check").addEventListener("click", () => setMode(true));
  $("check-submit").addEventListener("click", runCheck);
  // The summarize view marks an llm highlight's unsupported spans the same way.
  window.newsumMarkedSentence = markedSentence;
  window.newsumSourceLinks = sourceLinks;

  $("summary-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runCheck();
    }
  });
})();
