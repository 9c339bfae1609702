-- Quarto-style callouts, figures, tables and cross-references for plain pandoc (HTML and Typst).
-- Runs before --citeproc, so @fig-/@tbl-/@sec- keys never reach the citation processor.
-- Unresolved references render as Quarto shows them (bold ?@key) and are reported on stderr
-- as "UNRESOLVED-CROSSREF <key>" lines, which the Python driver turns into a failed build.

local is_typst = FORMAT:match("typst") ~= nil
local CROSSREF_PREFIXES = { fig = "Figure", tbl = "Table", sec = "Section" }
local CALLOUT_TITLES = {
  note = "Note", warning = "Warning", tip = "Tip", important = "Important", caution = "Caution",
}

-- key -> { kind = "fig"|"tbl"|"sec", number = "1" }
local targets = {}
local numbered_sections = false

local function crossref_kind(key)
  local prefix = key:match("^(%a+)%-")
  if prefix and CROSSREF_PREFIXES[prefix] then return prefix end
  return nil
end

local function to_typst_inline(inlines)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
  return (text:gsub("%s+$", ""))
end

-- ── Callouts ────────────────────────────────────────────────────────────────────────────────
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
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("typst", string.format('#callout("%s", [%s])[', kind, to_typst_inline(title))),
    })
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  local heading = pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" }))
  local body = pandoc.Div(content, pandoc.Attr("", { "callout-body" }))
  return pandoc.Div({ heading, body }, pandoc.Attr(div.identifier, { "callout", "callout-" .. kind }))
end

-- ── Figures and tables ──────────────────────────────────────────────────────────────────────
local figure_count, table_count = 0, 0

local function caption_prefix(label, number, inlines)
  local prefixed = pandoc.Inlines({ pandoc.Str(label), pandoc.Space(), pandoc.Str(number .. ":"),
                                    pandoc.Space() })
  prefixed:extend(inlines)
  return prefixed
end

-- Quarto's figure div: `::: {#fig-x}` content, then the caption as the last paragraph.
local function FigureDiv(div)
  local content = div.content
  local caption = pandoc.Inlines({})
  if #content > 1 and content[#content].t == "Para" then
    caption = content[#content].content
    content = pandoc.Blocks({ table.unpack(content, 1, #content - 1) })
  end
  figure_count = figure_count + 1
  local number = tostring(figure_count)
  targets[div.identifier] = { kind = "fig", number = number }
  if not is_typst then caption = caption_prefix("Figure", number, caption) end
  local attr = pandoc.Attr(div.identifier, { "quarto-figure" }, div.attributes)
  return pandoc.Figure(content, { pandoc.Plain(caption) }, attr)
end

-- A pandoc element that already carries its id and caption: a markdown image
-- `![Caption](file.svg){#fig-x}` (a Figure) or a table captioned `: Caption {#tbl-x}`.
-- Number it as `kind` and, outside typst, prefix its caption ("Figure 1: …").
local function number_captioned(element, kind, label)
  if crossref_kind(element.identifier) ~= kind or targets[element.identifier] then return nil end
  local number
  if kind == "fig" then
    figure_count = figure_count + 1
    number = tostring(figure_count)
  else
    table_count = table_count + 1
    number = tostring(table_count)
  end
  targets[element.identifier] = { kind = kind, number = number }
  if not is_typst then
    local caption = pandoc.utils.blocks_to_inlines(element.caption.long or {})
    element.caption = { long = { pandoc.Plain(caption_prefix(label, number, caption)) } }
  end
  return element
end

local function NativeFigure(figure) return number_captioned(figure, "fig", "Figure") end

-- Quarto's table div: `::: {#tbl-x}` a table, then the caption as the last paragraph.
local function TableDiv(div)
  local tbl_index = nil
  for i, block in ipairs(div.content) do
    if block.t == "Table" then tbl_index = i; break end
  end
  if not tbl_index then return nil end
  local tbl = div.content[tbl_index]
  local caption = pandoc.utils.blocks_to_inlines(tbl.caption.long or {})
  local last = div.content[#div.content]
  if #caption == 0 and #div.content > tbl_index and last.t == "Para" then caption = last.content end
  table_count = table_count + 1
  local number = tostring(table_count)
  targets[div.identifier] = { kind = "tbl", number = number }
  if not is_typst then caption = caption_prefix("Table", number, caption) end
  tbl.caption = { long = { pandoc.Plain(caption) } }
  tbl.identifier = div.identifier
  return tbl
end

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

local function FloatDiv(div)
  local kind = crossref_kind(div.identifier)
  if kind == "fig" then return FigureDiv(div) end
  if kind == "tbl" then return TableDiv(div) end
  return nil
end

local function CaptionedTable(tbl) return number_captioned(tbl, "tbl", "Table") end

-- ── Sections: the same numbers pandoc's --number-sections prints ─────────────────────────────
local function collect_sections(doc)
  numbered_sections = doc.meta["number-sections"] == true
  local sections = pandoc.utils.make_sections(true, nil, doc.blocks)
  pandoc.Blocks(sections):walk({
    Div = function(div)
      local header = div.content[1]
      -- make_sections moves the heading's id onto its section div
      local key = div.identifier ~= "" and div.identifier or (header and header.identifier or "")
      if header and header.t == "Header" and crossref_kind(key) == "sec" then
        targets[key] = { kind = "sec", number = div.attributes.number, title = header.content }
      end
    end,
  })
end

-- ── References ──────────────────────────────────────────────────────────────────────────────
local function unresolved(key)
  io.stderr:write("UNRESOLVED-CROSSREF " .. key .. "\n")
  return pandoc.Strong({ pandoc.Str("?@" .. key) })
end

local function reference(citation)
  local key = citation.id
  local target = targets[key]
  if not target then return unresolved(key) end
  local number_only = citation.mode == "SuppressAuthor"
  if is_typst then
    if target.kind == "sec" and not numbered_sections then
      return pandoc.RawInline("typst", string.format("#link(<%s>)[%s]", key, to_typst_inline(target.title)))
    end
    if number_only then
      return pandoc.RawInline("typst", string.format("#ref(<%s>, supplement: none)", key))
    end
    return pandoc.RawInline("typst", "#ref(<" .. key .. ">)")
  end
  local text
  if target.kind == "sec" and not (numbered_sections and target.number) then
    return pandoc.Link(target.title, "#" .. key, "", pandoc.Attr("", { "quarto-xref" }))
  end
  text = number_only and target.number or (CROSSREF_PREFIXES[target.kind] .. "\u{00A0}" .. target.number)
  return pandoc.Link({ pandoc.Str(text) }, "#" .. key, "", pandoc.Attr("", { "quarto-xref" }))
end

local function Cite(cite)
  local out = pandoc.Inlines({})
  local remaining = {}
  for i, citation in ipairs(cite.citations) do
    if crossref_kind(citation.id) then
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

return {
  { Table = ContentWidths },
  { Div = Callout },
  { Div = FloatDiv, Table = CaptionedTable, Figure = NativeFigure },
  { Pandoc = function(doc) collect_sections(doc) end },
  { Cite = Cite },
}
