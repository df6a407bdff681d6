#pragma once
// The style index.html and the comparison page share: inline, no fonts or
// images from anywhere, so a report opens the same offline.

#include <string_view>

namespace hubspec::harness::reports {

inline constexpr std::string_view html_style = R"css(
:root { --pass:#d6f5dc; --fail:#fbd3d3; --non-strict:#fff0bf; --skip:#ececec; --error:#e8d6fb; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header, main { padding: 0 24px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 22px; margin: 16px 0 6px; }
h2 { font-size: 18px; margin: 24px 0 8px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; position: sticky; top: 0; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; margin-right: 6px; }
.o-pass { background: var(--pass); } .o-fail { background: var(--fail); } .o-non-strict { background: var(--non-strict); }
.o-skip { background: var(--skip); } .o-error { background: var(--error); }
td.cell { text-align: center; cursor: pointer; white-space: nowrap; }
td.cell:hover, td.cell:focus { outline: 2px solid #0969da; outline-offset: -2px; }
td.cell.selected { outline: 3px solid #0969da; outline-offset: -3px; }
td.empty { background: #fafafa; }
.title { color: #57606a; font-weight: normal; font-size: 12px; }
.mark { font-size: 11px; color: #57606a; }
.filters { margin: 8px 0; display: flex; gap: 12px; flex-wrap: wrap; align-items: center; }
.filters input[type=search] { padding: 4px 8px; min-width: 260px; }
#details { border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px 16px; margin: 16px 0; background: #fcfcfd; }
#details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
#details dt { font-weight: 600; }
#details dd { margin: 0; white-space: pre-wrap; word-break: break-word; }
table.transcript td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
table.transcript td.text { white-space: pre-wrap; word-break: break-all; max-width: 900px; }
tr.dir-sent td.arrow { color: #0969da; } tr.dir-received td.arrow { color: #1a7f37; } tr.dir-note td { color: #57606a; }
tr.disagree th, tr.disagree td { border-top: 2px solid #cf222e; }
.muted { color: #57606a; }
)css";

} // namespace hubspec::harness::reports
