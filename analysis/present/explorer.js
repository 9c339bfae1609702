// The multiverse explorer (analysis/present/explorer.py packs the data): pick a value for each coding
// choice and see that specification's verdicts and deciding scores. No network, no library.
async function multiverseExplorer(id) {
  "use strict";
  const root = document.getElementById(id);
  const data = JSON.parse(document.getElementById(id + "-data").textContent);
  // every binary part is zlib-deflated, then base64; the browser inflates it, offline
  const bytes = async (b64) => {
    const packed = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
  if (typeof DecompressionStream === "undefined") {
    root.textContent = "This browser cannot inflate the embedded multiverse (no DecompressionStream).";
    return;
  }
  const [rawPositions, rawVerdicts, rawScores, verdictTable, scoreTable] = await Promise.all(
    [data.positions, data.verdicts, data.scores, data.verdict_table, data.score_table].map(bytes));
  const decoder = new TextDecoder();
  data.verdict_table = JSON.parse(decoder.decode(verdictTable));
  data.score_table = JSON.parse(decoder.decode(scoreTable));
  // admissible positions: LEB128 varint gaps, sorted
  const positions = [];
  {
    const raw = rawPositions;
    let value = 0, shift = 0, last = 0;
    for (const byte of raw) {
      value += (byte & 0x7f) * Math.pow(2, shift);
      if (byte & 0x80) { shift += 7; continue; }
      last = positions.length ? last + value : value;
      positions.push(last);
      value = 0; shift = 0;
    }
  }
  const readIndex = (raw, width) => (i) => width === 1 ? raw[i] : raw[2 * i] + 256 * raw[2 * i + 1];
  const verdictOf = readIndex(rawVerdicts, data.verdict_width);
  const scoreOf = readIndex(rawScores, 2);
  const keys = data.keys;
  const sizes = keys.map((k) => data.values[k].length);
  const strides = keys.map((_, i) => sizes.slice(i + 1).reduce((a, b) => a * b, 1));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  const form = document.createElement("form");
  form.className = "mv-choices";
  const selects = {};
  for (const key of keys) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = key;
    label.appendChild(name);
    const select = document.createElement("select");
    select.name = key;
    data.values[key].forEach((value, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = String(value);
      if (same(value, data.default[key])) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", show);
    selects[key] = select;
    label.appendChild(select);
    form.appendChild(label);
  }
  const reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = "Default coding";
  reset.addEventListener("click", () => {
    for (const key of keys) {
      selects[key].value = String(data.values[key].findIndex((v) => same(v, data.default[key])));
    }
    show();
  });
  form.appendChild(reset);
  const output = document.createElement("div");
  output.className = "mv-result";
  output.setAttribute("aria-live", "polite");
  root.appendChild(form);
  root.appendChild(output);

  function find(position) {
    let lo = 0, hi = positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (positions[mid] === position) return mid;
      if (positions[mid] < position) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  function show() {
    const position = keys.reduce((sum, key, i) => sum + Number(selects[key].value) * strides[i], 0);
    const row = find(position);
    output.replaceChildren();
    if (row < 0) {
      output.dataset.status = "excluded";
      output.textContent = "This combination is excluded by a constraint of the decision space " +
        "(analysis/registry.yaml, x-constraints): pick another value.";
      return;
    }
    output.dataset.status = "found";
    const verdicts = data.verdict_table[verdictOf(row)];
    const scores = data.score_table[scoreOf(row)];
    const table = document.createElement("table");
    table.className = "mv-verdicts";
    const head = table.insertRow();
    ["Coding result", "Value"].forEach((t) => { const th = document.createElement("th"); th.textContent = t; head.appendChild(th); });
    data.verdict_columns.forEach((column, i) => {
      if (verdicts[i] === null) return;
      const tr = table.insertRow();
      tr.dataset.target = column.replace("verdict_", "");
      tr.insertCell().textContent = column.replace("verdict_", "").replace("_", " in ");
      tr.insertCell().textContent = verdicts[i];
    });
    data.score_columns.forEach((column, i) => {
      if (scores[i] === null) return;
      const tr = table.insertRow();
      tr.dataset.score = column;
      const [round, ...name] = column.split("_");
      tr.insertCell().textContent = data.score_labels[name.join("_")] + ", " + round;
      tr.insertCell().textContent = String(scores[i]);
    });
    output.appendChild(table);
  }
  show();
}
