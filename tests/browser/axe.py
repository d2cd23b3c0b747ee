"""axe-core in the browser tests: the vendored script (tests/browser/vendor/axe-core, never
served), the WCAG 2.1 A and AA rules, and the serious or critical violations of a page at the
three widths the portal is checked at (1366 px, a phone, 200 % zoom)."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = ((1366, 900), (390, 844), (683, 450))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 8).map((n) => {
                    const data = n.any.length && n.any[0].data;
                    const colours = v.id === "color-contrast" && data && data.fgColor
                      ? ` (${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1)` : "";
                    return n.target.join(" ") + colours;
                  })}));
}"""


def serious_violations(page, sizes=SIZES) -> list[str]:
    """The page's serious and critical violations at each (width, height), one line each; the
    viewport is 1366 × 900 again afterwards. The page's context must bypass the CSP (axe_page)."""
    found = []
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.add_script_tag(path=str(AXE))
        found += [
            f"{v['id']} ({v['impact']}) at {width} px: {v['help']}; " + ", ".join(v["targets"])
            for v in page.evaluate(RUN, TAGS)
        ]
    page.set_viewport_size({"width": 1366, "height": 900})
    return found
