-- Quarto's authoring features for plain pandoc, one filter for the HTML and the Typst writer.
--
-- Numbers are computed here, once, from the document's order, and written into the output as
-- text ("Figure 1: …", "Table 2", "(3)"): Typst never counts anything itself (the template turns
-- its figure and heading numbering off), so the HTML and the PDF cannot disagree on a number.
-- Problems go to stderr as "QMD-ERROR <message>" lines and every number as
-- "QMD-NUMBER <label> <number>"; the Python driver fails the render on the first and compares
-- the second between formats.

local is_typst = FORMAT:match("typst") ~= nil
-- the names a `when-format` / `unless-format` attribute may use for this output
local FORMAT_NAMES = is_typst and { pdf = true, typst = true, latex = true }
  or { html = true, html5 = true, ["html:js"] = true }

-- label prefix -> caption/reference title and the noun an error message uses
local KINDS = {
  fig = { title = "Figure", noun = "figure" }, tbl = { title = "Table", noun = "table" },
  lst = { title = "Listing", noun = "code listing" }, eq = { title = "Equation", noun = "equation" },
  sec = { title = "Section", noun = "section" }, thm = { title = "Theorem", noun = "theorem" },
  lem = { title = "Lemma", noun = "lemma" }, cor = { title = "Corollary", noun = "corollary" },
  prp = { title = "Proposition", noun = "proposition" }, cnj = { title = "Conjecture", noun = "conjecture" },
  def = { title = "Definition", noun = "definition" }, exm = { title = "Example", noun = "example" },
  exr = { title = "Exercise", noun = "exercise" }, sol = { title = "Solution", noun = "solution" },
  rem = { title = "Remark", noun = "remark" },
}
local THEOREM_KINDS = { thm = true, lem = true, cor = true, prp = true, cnj = true, def = true,
                        exm = true, exr = true, sol = true, rem = true }
local FLOAT_KINDS = { fig = true, tbl = true, lst = true }
local CALLOUT_TITLES = {
  note = "Note", warning = "Warning", tip = "Tip", important = "Important", caution = "Caution",
}

local options = {}        -- the front matter's `crossref:` map, as strings
local number_sections = false
local number_depth = 99
local targets = {}        -- label -> { kind, number, title }
local counters = {}
local order = {}          -- labels in numbering order, for the QMD-NUMBER report

local function fail(message) io.stderr:write("QMD-ERROR " .. message .. "\n") end

local function kind_of(label)
  local prefix = label and label:match("^(%a+)%-")
  if prefix and KINDS[prefix:lower()] then return prefix:lower(), prefix end
  return nil
end

local function has_class(el, class)
  for _, c in ipairs(el.classes or {}) do if c == class then return true end end
  return false
end

local function typst_inlines(inlines)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
  return (text:gsub("%s+$", ""))
end

local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

-- ── Options ────────────────────────────────────────────────────────────────────────────────
local function read_meta(meta)
  number_sections = meta["number-sections"] == true
  if meta["number-depth"] then number_depth = tonumber(pandoc.utils.stringify(meta["number-depth"])) or 99 end
  if meta.crossref and type(meta.crossref) == "table" then
    for key, value in pairs(meta.crossref) do options[key] = pandoc.utils.stringify(value) end
  end
end

local function title_of(kind) return options[kind .. "-title"] or KINDS[kind].title end
local function prefix_of(kind) return options[kind .. "-prefix"] or KINDS[kind].title end
local function delimiter() return options["title-delim"] or ":" end

local ROMAN = { { 1000, "m" }, { 900, "cm" }, { 500, "d" }, { 400, "cd" }, { 100, "c" }, { 90, "xc" },
                { 50, "l" }, { 40, "xl" }, { 10, "x" }, { 9, "ix" }, { 5, "v" }, { 4, "iv" }, { 1, "i" } }

-- Quarto's label styles: "arabic", "roman" / "roman i" / "roman I", "alpha a" / "alpha A" / "alpha x"
local function styled(n, style)
  style = style or "arabic"
  local name, start = style:match("^(%a+)%s*(%S*)$")
  if name == "roman" then
    local out, rest = "", n
    for _, pair in ipairs(ROMAN) do
      while rest >= pair[1] do out = out .. pair[2]; rest = rest - pair[1] end
    end
    return (start == "I") and out:upper() or out
  elseif name == "alpha" then
    local first = (start ~= "" and start or "a"):byte()
    return string.char(first + n - 1)
  end
  return tostring(n)
end

local function next_number(kind)
  counters[kind] = (counters[kind] or 0) + 1
  return styled(counters[kind], options[kind .. "-labels"] or options.labels)
end

local function register(label, kind, number, title)
  if label == nil or label == "" then return end
  if targets[label] then fail("the label " .. label .. " is used twice") end
  targets[label] = { kind = kind, number = number, title = title }
  table.insert(order, label)
end

local function caption_with_prefix(kind, number, inlines)
  -- an uncaptioned float reads "Figure 2", a captioned one "Figure 2: Caption"
  local prefixed = pandoc.Inlines({ pandoc.Str(title_of(kind)), pandoc.Space(),
                                    pandoc.Str(number .. (#inlines > 0 and delimiter() or "")) })
  if #inlines > 0 then prefixed:insert(pandoc.Space()); prefixed:extend(inlines) end
  return prefixed
end

-- ── Per-format content, remote resources, callouts, tabsets, code folding ──────────────────
local function format_matches(value)
  for name in (value or ""):gmatch("[^%s,]+") do if FORMAT_NAMES[name] then return true end end
  return false
end

local function visible(el)
  if has_class(el, "content-visible") then
    if el.attributes["when-format"] then return format_matches(el.attributes["when-format"]) end
    if el.attributes["unless-format"] then return not format_matches(el.attributes["unless-format"]) end
  elseif has_class(el, "content-hidden") then
    if el.attributes["when-format"] then return not format_matches(el.attributes["when-format"]) end
    if el.attributes["unless-format"] then return format_matches(el.attributes["unless-format"]) end
  end
  return nil
end

local function ContentVisibility(el)
  local shown = visible(el)
  if shown == nil then return nil end
  if shown then return el.content end
  return {}
end

-- The engine never fetches: pandoc's --embed-resources would download a remote image or script.
local REMOTE = "^%s*[Hh][Tt][Tt][Pp][Ss]?:" -- http: / https:
local function is_remote(src) return src:match(REMOTE) ~= nil or src:match("^%s*//") ~= nil end

local function RemoteImage(img)
  if is_remote(img.src) then
    fail("remote image " .. img.src .. ": the engine never fetches from the network; "
         .. "save the file beside the document and refer to it by a relative path")
  end
end

local function RemoteRaw(raw)
  if raw.format ~= "html" then return nil end
  local text = raw.text:lower()
  for _, pattern in ipairs({ "src%s*=%s*[\"']?%s*https?:", "src%s*=%s*[\"']?%s*//",
                             "<link[^>]-href%s*=%s*[\"']?%s*https?:", "url%(%s*[\"']?%s*https?:" }) do
    local from = text:find(pattern)
    if from then
      fail("raw HTML loads a remote resource (" .. raw.text:sub(from, from + 60):gsub("%s+", " ")
           .. "…): the engine never fetches from the network")
      return nil
    end
  end
end

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and CALLOUT_TITLES[kind] then return kind end
  end
  return nil
end

local function Callout(div)
  local kind = callout_kind(div)
  if not kind then return nil end
  local content = div.content
  local title = nil
  if div.attributes.title then
    title = pandoc.read(div.attributes.title, "markdown").blocks[1]
    title = title and title.content or pandoc.Inlines({})
  elseif #content > 0 and content[1].t == "Header" then
    -- a leading heading is the callout's title, never a section of the document
    title = content[1].content
    content = pandoc.Blocks({ table.unpack(content, 2) })
  end
  title = title or pandoc.Inlines({ pandoc.Str(CALLOUT_TITLES[kind]) })
  if is_typst then
    -- a collapsed callout is printed open: paper cannot be clicked
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("typst", string.format('#callout("%s", [%s])[', kind, typst_inlines(title))),
    })
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  local collapse = div.attributes.collapse
  if collapse == "true" or collapse == "false" then
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("html", string.format('<details class="callout callout-%s"%s><summary class="callout-title">',
                                            kind, collapse == "false" and " open" or "")),
      pandoc.Plain(title), pandoc.RawBlock("html", '</summary><div class="callout-body">'),
    })
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("html", "</div></details>"))
    return blocks
  end
  local heading = pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" }))
  local body = pandoc.Div(content, pandoc.Attr("", { "callout-body" }))
  return pandoc.Div({ heading, body }, pandoc.Attr(div.identifier, { "callout", "callout-" .. kind }))
end

local tabset_count = 0

-- `::: {.panel-tabset}`: each heading of the first level found starts a tab. HTML gets tabs that
-- work without JavaScript (radio buttons and CSS); the PDF prints every tab, its title in bold.
local function Tabset(div)
  if not has_class(div, "panel-tabset") then return nil end
  local level = nil
  for _, block in ipairs(div.content) do
    if block.t == "Header" then level = level and math.min(level, block.level) or block.level end
  end
  if not level then return nil end
  local tabs, current = {}, nil
  for _, block in ipairs(div.content) do
    if block.t == "Header" and block.level == level then
      current = { title = block.content, blocks = pandoc.Blocks({}) }
      table.insert(tabs, current)
    elseif current then
      current.blocks:insert(block)
    end
  end
  local out = pandoc.Blocks({})
  if is_typst then
    for _, tab in ipairs(tabs) do
      out:insert(pandoc.Para({ pandoc.Strong(tab.title) }))
      out:extend(tab.blocks)
    end
    return out
  end
  tabset_count = tabset_count + 1
  local group = "tabset-" .. tabset_count
  out:insert(pandoc.RawBlock("html", '<div class="panel-tabset">'))
  for i, tab in ipairs(tabs) do
    local id = group .. "-" .. i
    out:insert(pandoc.RawBlock("html", string.format('<input type="radio" name="%s" id="%s"%s><label for="%s">',
                                                     group, id, i == 1 and " checked" or "", id)))
    out:insert(pandoc.Plain(tab.title))
    out:insert(pandoc.RawBlock("html", "</label>"))
  end
  for _, tab in ipairs(tabs) do
    out:insert(pandoc.Div(tab.blocks, pandoc.Attr("", { "tab-panel" })))
  end
  out:insert(pandoc.RawBlock("html", "</div>"))
  return out
end

-- `::: {.qmd-code-fold}` (written by the engine for `code-fold`): a <details> in HTML, plain code in PDF.
local function CodeFold(div)
  if not has_class(div, "qmd-code-fold") then return nil end
  if is_typst then return div.content end
  local open = div.attributes.open == "true" and " open" or ""
  local summary = div.attributes.summary or "Code"
  local blocks = pandoc.Blocks({ pandoc.RawBlock("html", '<details class="code-fold"' .. open .. "><summary>") })
  blocks:insert(pandoc.Plain(pandoc.Inlines({ pandoc.Str(summary) })))
  blocks:insert(pandoc.RawBlock("html", "</summary>"))
  blocks:extend(div.content)
  blocks:insert(pandoc.RawBlock("html", "</details>"))
  return blocks
end

-- ── Floats: figures, tables, listings, with their sub-floats ───────────────────────────────
local function is_caption_div(block) return block.t == "Div" and has_class(block, "qmd-caption") end

local function only_images(block)
  if block.t ~= "Para" and block.t ~= "Plain" then return false end
  local seen = false
  for _, inline in ipairs(block.content) do
    if inline.t == "Image" then seen = true
    elseif inline.t ~= "Space" and inline.t ~= "SoftBreak" and inline.t ~= "LineBreak" then return false end
  end
  return seen
end

-- A float div's caption: the engine's `.qmd-caption` div, else (as Quarto says) its last paragraph,
-- unless that paragraph holds only images (then the float has no caption).
local function split_caption(blocks)
  local content = pandoc.Blocks({})
  local caption = nil
  for _, block in ipairs(blocks) do
    if is_caption_div(block) then
      caption = pandoc.utils.blocks_to_inlines(block.content)
    else
      content:insert(block)
    end
  end
  if caption == nil and #content > 1 and content[#content].t == "Para" and not only_images(content[#content]) then
    caption = content[#content].content
    content:remove(#content)
  end
  return content, caption or pandoc.Inlines({})
end

local function set_alt(blocks, alt)
  if not alt then return blocks end
  return blocks:walk({ Image = function(img)
    if not img.attributes["fig-alt"] then img.attributes["fig-alt"] = alt end
    return img
  end })
end

-- a pandoc Figure without an id (a lone captioned image) inside a float is a sub-float or, when
-- alone, just the image: its caption becomes the image's description (alt text), never a nested caption
local function subfloat_of(block, kind)
  if block.t == "Div" and kind_of(block.identifier) == kind then
    local content, caption = split_caption(block.content)
    return { id = block.identifier, content = content, caption = caption }
  end
  if block.t == "Figure" and kind == "fig" then
    local caption = pandoc.utils.blocks_to_inlines(block.caption.long or {})
    if block.identifier ~= "" and kind_of(block.identifier) ~= "fig" then return nil end
    return { id = block.identifier, content = block.content, caption = caption }
  end
  if block.t == "Table" and kind == "tbl" then
    local caption = pandoc.utils.blocks_to_inlines(block.caption.long or {})
    local bare = block:clone()
    bare.identifier = ""
    bare.caption = { long = {} }
    return { id = block.identifier, content = pandoc.Blocks({ bare }), caption = caption, table = bare }
  end
  return nil
end

local function layout_columns(attributes, count)
  local ncol = tonumber(attributes["layout-ncol"] or "")
  local nrow = tonumber(attributes["layout-nrow"] or "")
  if ncol then return ncol end
  if nrow then return math.ceil(count / nrow) end
  return nil
end

local function grid(items, ncol)
  if is_typst then
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", string.format("#grid(columns: %d, gutter: 1em,", ncol)) })
    for _, item in ipairs(items) do
      blocks:insert(pandoc.RawBlock("typst", "["))
      blocks:extend(item)
      blocks:insert(pandoc.RawBlock("typst", "],"))
    end
    blocks:insert(pandoc.RawBlock("typst", ")"))
    return blocks
  end
  local cells = pandoc.Blocks({})
  for _, item in ipairs(items) do cells:insert(pandoc.Div(item, pandoc.Attr("", { "quarto-layout-cell" }))) end
  return pandoc.Blocks({ pandoc.Div(cells, pandoc.Attr("", { "quarto-layout-panel" },
    { style = string.format("display: grid; grid-template-columns: repeat(%d, minmax(0, 1fr)); gap: 1em;", ncol) })) })
end

local function subcaption(letter, inlines)
  local out = pandoc.Inlines({ pandoc.Str("(" .. letter .. ")") })
  if #inlines > 0 then out:insert(pandoc.Space()); out:extend(inlines) end
  return out
end

local function float_block(kind, id, content, caption, classes)
  if kind == "tbl" and #content == 1 and content[1].t == "Table" then
    local tbl = content[1]
    tbl.caption = { long = { pandoc.Plain(caption) } }
    tbl.identifier = id or ""
    return tbl
  end
  local attr = pandoc.Attr(id or "", { "quarto-float", "quarto-float-" .. kind, table.unpack(classes or {}) })
  if kind == "lst" then
    -- a listing's caption stands above its code, like a table's
    local blocks = pandoc.Blocks({ pandoc.Para(caption) })
    blocks:extend(content)
    return pandoc.Div(blocks, attr)
  end
  return pandoc.Figure(content, { pandoc.Plain(caption) }, attr)
end

local process_blocks -- forward

-- number a float (and its sub-floats) and build it for the output
local function make_float(kind, id, content, caption, attributes)
  -- a cell's output box holding one table or figure is that table or figure (a sub-float candidate)
  local unwrapped = pandoc.Blocks({})
  for _, block in ipairs(content) do
    if block.t == "Div" and has_class(block, "cell-output-display") and #block.content == 1
      and (block.content[1].t == "Table" or block.content[1].t == "Figure") then
      unwrapped:insert(block.content[1])
    else
      unwrapped:insert(block)
    end
  end
  content = unwrapped
  local number = next_number(kind)
  register(id, kind, number, nil)
  local subs = {}
  for _, block in ipairs(content) do
    local sub = subfloat_of(block, kind)
    if sub then table.insert(subs, sub) end
  end
  local ncol = layout_columns(attributes or {}, #content)
  if #subs >= 2 or (#subs >= 1 and #subs == #content and ncol) then
    local items = {}
    local index = 0
    for _, block in ipairs(content) do
      local sub = subfloat_of(block, kind)
      if sub then
        index = index + 1
        local letter = styled(index, options["subref-labels"] or "alpha a")
        if sub.id ~= "" then register(sub.id, kind, number .. " (" .. letter .. ")", nil) end
        local body = process_blocks(sub.content)
        local element
        if sub.table then
          element = float_block("tbl", sub.id, body, subcaption(letter, sub.caption))
        else
          element = pandoc.Figure(body, { pandoc.Plain(subcaption(letter, sub.caption)) },
                                  pandoc.Attr(sub.id or "", { "quarto-subfloat" }))
        end
        table.insert(items, { element })
      else
        table.insert(items, process_blocks(pandoc.Blocks({ block })))
      end
    end
    local body = grid(items, ncol or #items)
    return float_block(kind, id, body, caption_with_prefix(kind, number, caption), { "quarto-float-panel" })
  end
  local body = process_blocks(content)
  if ncol and #body > 1 then
    local items = {}
    for _, block in ipairs(body) do table.insert(items, { block }) end
    body = grid(items, ncol)
  end
  -- a lone captioned image inside a float div: keep the image, its caption as its alt text
  if #body == 1 and body[1].t == "Figure" and body[1].identifier == "" then body = body[1].content end
  return float_block(kind, id, body, caption_with_prefix(kind, number, caption))
end

-- ── Equations ──────────────────────────────────────────────────────────────────────────────
-- `$$ … $$ {#eq-x}` (Quarto's syntax) arrives as DisplayMath followed by the Str "{#eq-x}".
local function equations(inlines)
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local label_at = (inlines[i + 1] and inlines[i + 1].t == "Space") and i + 2 or i + 1
    local label_el = inlines[label_at]
    local label = label_el and label_el.t == "Str" and label_el.text:match("^{#(eq%-[%w%-_:.]+)}$")
    if el.t == "Math" and el.mathtype == "DisplayMath" and label then
      local number = next_number("eq")
      register(label, "eq", number, nil)
      local tag = "(" .. number .. ")"
      if is_typst then
        local math = typst_inlines({ el })
        out:insert(pandoc.RawInline("typst", string.format(
          "#[#set math.equation(numbering: (..n) => %s, number-align: end + horizon)\n%s <%s>]",
          typst_string(tag), math, label)))
      else
        out:insert(pandoc.Span({ el, pandoc.Span({ pandoc.Str(tag) }, pandoc.Attr("", { "eq-number" })) },
                               pandoc.Attr(label, { "quarto-equation" })))
      end
      i = label_at + 1
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

-- ── Theorems and the like: `::: {#thm-x}` with an optional `## Name` or name="…" ───────────
local function theorem(div, kind)
  local number = next_number(kind)
  local content = div.content
  local name = nil
  if div.attributes.name then
    name = pandoc.Inlines({ pandoc.Str(div.attributes.name) })
  elseif #content > 0 and content[1].t == "Header" then
    name = content[1].content
    content = pandoc.Blocks({ table.unpack(content, 2) })
  end
  register(div.identifier, kind, number, nil)
  local lead = pandoc.Inlines({ pandoc.Str(title_of(kind)), pandoc.Space(), pandoc.Str(number) })
  if name then lead:insert(pandoc.Space()); lead:insert(pandoc.Str("(")); lead:extend(name); lead:insert(pandoc.Str(")")) end
  local blocks = process_blocks(content)
  local head = pandoc.Inlines({ pandoc.Strong(lead), pandoc.Space() })
  if #blocks > 0 and blocks[1].t == "Para" then
    head:extend(blocks[1].content)
    blocks[1] = pandoc.Para(head)
  else
    blocks:insert(1, pandoc.Para({ pandoc.Strong(lead) }))
  end
  return pandoc.Div(blocks, pandoc.Attr(div.identifier, { "theorem", kind }))
end

-- ── Sections ───────────────────────────────────────────────────────────────────────────────
local section_base = nil   -- the highest heading level in use counts as level 1
local section_counts = {}

local function numbered(header)
  return number_sections and not has_class(header, "unnumbered")
end

local function number_header(header)
  local label = header.identifier
  if not numbered(header) then
    if kind_of(label) == "sec" then register(label, "sec", nil, header.content) end
    return header
  end
  local depth = header.level - section_base + 1
  if depth > number_depth then
    if kind_of(label) == "sec" then register(label, "sec", nil, header.content) end
    return header
  end
  section_counts[depth] = (section_counts[depth] or 0) + 1
  for d = depth + 1, #section_counts do section_counts[d] = nil end
  local parts = {}
  for d = 1, depth do table.insert(parts, tostring(section_counts[d] or 0)) end
  local number = table.concat(parts, ".")
  if kind_of(label) == "sec" then register(label, "sec", number, header.content) end
  local content = pandoc.Inlines({ pandoc.Span({ pandoc.Str(number) }, pandoc.Attr("", { "header-section-number" })),
                                   pandoc.Space() })
  content:extend(header.content)
  header.content = content
  header.attributes["number"] = number
  return header
end

-- ── The numbering walk, in document order ──────────────────────────────────────────────────
process_blocks = function(blocks)
  local out = pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    local kind = block.identifier and kind_of(block.identifier)
    if block.t == "Header" then
      out:insert(number_header(block))
    elseif block.t == "Div" and kind and FLOAT_KINDS[kind] then
      local content, caption = split_caption(block.content)
      content = set_alt(content, block.attributes["fig-alt"])
      out:insert(make_float(kind, block.identifier, content, caption, block.attributes))
    elseif block.t == "Div" and kind and THEOREM_KINDS[kind] then
      out:insert(theorem(block, kind))
    elseif block.t == "Figure" and kind == "fig" then
      local caption = pandoc.utils.blocks_to_inlines(block.caption.long or {})
      local content = set_alt(block.content, block.attributes["fig-alt"])
      out:insert(make_float("fig", block.identifier, content, caption, block.attributes))
    elseif block.t == "Table" and kind == "tbl" then
      local caption = pandoc.utils.blocks_to_inlines(block.caption.long or {})
      local id = block.identifier
      block.identifier = ""
      block.caption = { long = {} }
      out:insert(make_float("tbl", id, pandoc.Blocks({ block }), caption, {}))
    elseif block.t == "CodeBlock" and kind == "lst" then
      local caption = block.attributes["lst-cap"]
      caption = caption and pandoc.read(caption, "markdown").blocks[1]
      caption = caption and caption.content or pandoc.Inlines({})
      local id = block.identifier
      block.identifier = ""
      block.attributes["lst-cap"] = nil
      out:insert(make_float("lst", id, pandoc.Blocks({ block }), caption, {}))
    elseif block.t == "Div" then
      block.content = process_blocks(block.content)
      out:insert(block)
    elseif block.t == "BlockQuote" then
      block.content = process_blocks(block.content)
      out:insert(block)
    elseif block.t == "Para" or block.t == "Plain" then
      block.content = equations(block.content)
      out:insert(block)
    else
      out:insert(block)
    end
  end
  return out
end

local function Number(doc)
  read_meta(doc.meta)
  doc.blocks:walk({ Header = function(h)
    if numbered(h) then section_base = section_base and math.min(section_base, h.level) or h.level end
  end })
  section_base = section_base or 1
  doc.blocks = process_blocks(doc.blocks)
  for _, label in ipairs(order) do
    io.stderr:write("QMD-NUMBER " .. label .. " " .. (targets[label].number or "-") .. "\n")
  end
  return doc
end

-- ── References ─────────────────────────────────────────────────────────────────────────────
local function reference(citation)
  local kind, written_prefix = kind_of(citation.id)
  local key = kind .. citation.id:sub(#written_prefix + 1)
  local target = targets[key]
  if not target then
    fail(string.format("unresolved cross-reference @%s: no %s labelled %s in the document",
                       citation.id, KINDS[kind].noun, key))
    return pandoc.Strong({ pandoc.Str("?@" .. citation.id) })
  end
  if target.kind ~= kind then
    fail(string.format("cross-reference @%s points at a %s, not a %s", citation.id,
                       KINDS[target.kind].noun, KINDS[kind].noun))
  end
  local inlines
  if target.number == nil then
    inlines = target.title  -- an unnumbered section is referred to by its title, as Quarto does
  elseif citation.mode == "SuppressAuthor" then
    inlines = pandoc.Inlines({ pandoc.Str(target.number) })
  else
    local prefix = prefix_of(kind)
    if written_prefix:sub(1, 1):match("%u") then prefix = prefix:sub(1, 1):upper() .. prefix:sub(2) end
    inlines = pandoc.Inlines({ pandoc.Str(prefix .. "\u{00A0}" .. target.number) })
  end
  if options["ref-hyperlink"] == "false" then return inlines end
  return pandoc.Link(inlines, "#" .. key, "", pandoc.Attr("", { "quarto-xref" }))
end

local function Cite(cite)
  local out = pandoc.Inlines({})
  local remaining = {}
  for _, citation in ipairs(cite.citations) do
    if kind_of(citation.id) then
      if #out > 0 then out:insert(pandoc.Str(",")); out:insert(pandoc.Space()) end
      out:extend(citation.prefix)
      if #citation.prefix > 0 then out:insert(pandoc.Space()) end
      out:insert(reference(citation))
      out:extend(citation.suffix)
    else
      table.insert(remaining, citation)
    end
  end
  if #remaining == #cite.citations then return nil end
  if #remaining > 0 then
    -- a mixed group: keep the real citations for citeproc, after the references
    out:insert(pandoc.Space())
    out:insert(pandoc.Cite(pandoc.Inlines({}), remaining))
  end
  return out
end

-- ── Images: alt text in both formats ───────────────────────────────────────────────────────
local function typst_length(value)
  if not value then return nil end
  if value:match("^[%d.]+%%$") or value:match("^[%d.]+(in)$") or value:match("^[%d.]+(cm)$")
    or value:match("^[%d.]+(mm)$") or value:match("^[%d.]+(pt)$") then return value end
  local px = value:match("^([%d.]+)p?x?$")
  if px then return tostring(tonumber(px) * 0.75) .. "pt" end
  return nil
end

local function html_escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- pandoc's Typst writer drops alt text and its HTML writer ignores Quarto's `fig-alt`: write both.
local function ImageAlt(img)
  local alt = img.attributes["fig-alt"] or pandoc.utils.stringify(img.caption)
  if alt == "" then return nil end
  if is_typst then
    local args = { typst_string(img.src) }
    local width = typst_length(img.attributes.width)
    if width then table.insert(args, "width: " .. width) end
    table.insert(args, "alt: " .. typst_string(alt))
    return pandoc.RawInline("typst", "#box(image(" .. table.concat(args, ", ") .. "))")
  end
  if img.attributes["fig-alt"] then
    img.attributes["fig-alt"] = nil
    local style = img.attributes.width and string.format(' style="width: %s"', html_escape(img.attributes.width)) or ""
    return pandoc.RawInline("html", string.format('<img src="%s" alt="%s"%s />', html_escape(img.src),
                                                  html_escape(alt), style))
  end
  return nil
end

-- ── Table widths (unchanged from the report's needs) ───────────────────────────────────────
-- A long pipe table takes its column widths from its dash counts; equal counts (`:---` in every
-- column) say nothing about the content, so such a table gets widths from its content instead:
-- the upper-quartile cell length, at least the longest word (up to 24) and the header, capped at
-- 50, plus 2 for the cell's padding (report_data.table writes the same counts as dashes, so
-- Quarto sees them too).
local function column_weight(texts)
  local lengths, longest_word = {}, 0
  for _, text in ipairs(texts) do
    table.insert(lengths, utf8.len(text) or #text)
    for word in text:gmatch("%S+") do longest_word = math.max(longest_word, utf8.len(word) or #word) end
  end
  table.sort(lengths)
  local typical = #lengths > 0 and lengths[math.ceil(3 * (#lengths - 1) / 4) + 1] or 0
  return math.min(50, math.max(4, typical, math.min(24, longest_word))) + 2
end

local function ContentWidths(tbl)
  local first = tbl.colspecs[1] and tbl.colspecs[1][2]
  if type(first) ~= "number" then return nil end
  for _, colspec in ipairs(tbl.colspecs) do
    if colspec[2] ~= first then return nil end
  end
  local columns = {}
  for j = 1, #tbl.colspecs do columns[j] = {} end
  local function collect(rows)
    for _, row in ipairs(rows) do
      for j, cell in ipairs(row.cells) do
        if columns[j] then table.insert(columns[j], pandoc.utils.stringify(cell.contents)) end
      end
    end
  end
  for _, body in ipairs(tbl.bodies) do collect(body.body) end
  local weights, total = {}, 0
  for j = 1, #tbl.colspecs do
    weights[j] = column_weight(columns[j])
    total = total + weights[j]
  end
  for _, row in ipairs(tbl.head.rows) do
    for j, cell in ipairs(row.cells) do
      local header = (utf8.len(pandoc.utils.stringify(cell.contents)) or 0) + 2
      if weights[j] and header > weights[j] then
        total = total + header - weights[j]
        weights[j] = header
      end
    end
  end
  for j, colspec in ipairs(tbl.colspecs) do
    tbl.colspecs[j] = { colspec[1], weights[j] / total }
  end
  return tbl
end

return {
  { Div = ContentVisibility, Span = ContentVisibility },
  { Image = RemoteImage, RawBlock = RemoteRaw, RawInline = RemoteRaw, Table = ContentWidths },
  { Div = function(div) return Callout(div) or Tabset(div) or CodeFold(div) end },
  { Pandoc = Number },
  { Cite = Cite },
  { Image = ImageAlt },
}
