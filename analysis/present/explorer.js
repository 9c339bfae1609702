// The multiverse explorer (analysis/present/explorer.py packs the data): pick a value for each coding
// choice and see that specification's verdicts and deciding scores. No network, no library.
function multiverseExplorer(id) {
  "use strict";
  const root = document.getElementById(id);
  const data = JSON.parse(document.getElementById(id + "-data").textContent);
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  // admissible positions: LEB128 varint gaps, sorted
  const positions = [];
  {
    const raw = bytes(data.positions);
    let value = 0, shift = 0, last = 0;
    for (const byte of raw) {
      value += (byte & 0x7f) * Math.pow(2, shift);
      if (byte & 0x80) { shift += 7; continue; }
      last = positions.length ? last + value : value;
      positions.push(last);
      value = 0; shift = 0;
    }
  }
  const readIndex = (b64, width) => {
    const raw = bytes(b64);
    return (i) => width === 1 ? raw[i] : raw[2 * i] + 256 * raw[2 * i + 1];
  };
  const verdictOf = readIndex(data.verdicts, data.verdict_width);
  const scoreOf = readIndex(data.scores, 2);
  const keys = data.keys;
  const sizes = keys.map((k) => data.values[k].length);
  const strides = keys.map((_, i) => sizes.slice(i + 1).reduce((a, b) => a * b, 1));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  const form = document.createElement("form");
  form.className = "mv-choices";
  const selects = {};
  for (const key of keys) {
    const label = document.createElement("label");
    label.textContent = key + " ";
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
    ["Verdict", "Value"].forEach((t) => { const th = document.createElement("th"); th.textContent = t; head.appendChild(th); });
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
