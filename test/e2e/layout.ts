// Checks a rendered view the way a reviewer with a ruler would: nothing wider
// than the box it sits in (unless that box scrolls), no text cut off without a
// tooltip that shows all of it, no page-wide horizontal scrolling; and axe-core
// (WCAG 2 A and AA) with no serious or critical violation.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export interface LayoutProblem {
  kind: 'wider-than-container' | 'clipped-without-tooltip' | 'page-scrolls-sideways';
  element: string;
  detail: string;
}

/** The few DOM shapes the in-page check uses (the tests are compiled without the DOM library). */
interface Box {
  right: number;
  width: number;
  height: number;
}
interface El {
  tagName: string;
  id: string;
  className: unknown;
  textContent: string | null;
  parentElement: El | null;
  scrollWidth: number;
  clientWidth: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box;
  closest(selector: string): El | null;
}
interface Style {
  overflowX: string;
  position: string;
  display: string;
  visibility: string;
  textOverflow: string;
  borderRightWidth: string;
}

/** Runs in the page: every visible element of the main column (header and view). */
function findLayoutProblems(): LayoutProblem[] {
  const { document, getComputedStyle } = globalThis as unknown as {
    document: { documentElement: El; querySelector(selector: string): El | null; querySelectorAll(selector: string): Iterable<El> };
    getComputedStyle(element: El): Style;
  };
  const problems: LayoutProblem[] = [];
  const describe = (el: El): string => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`;
  };
  const scrolls = (style: Style) => style.overflowX === 'auto' || style.overflowX === 'scroll';
  const clips = (style: Style) => style.overflowX === 'hidden' || style.overflowX === 'clip';
  const hasTooltip = (el: El): boolean => {
    for (let e: El | null = el, i = 0; e && i < 4; e = e.parentElement, i++) if (e.getAttribute('title') || e.getAttribute('aria-label')) return true;
    return false;
  };
  const visible = (el: El, rect: Box) => rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== 'hidden';

  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push({ kind: 'page-scrolls-sideways', element: 'html', detail: `${root.scrollWidth} > ${root.clientWidth}` });
  const main = document.querySelector('main');
  if (main && main.scrollWidth > main.clientWidth + 1) problems.push({ kind: 'page-scrolls-sideways', element: 'main', detail: `${main.scrollWidth} > ${main.clientWidth}` });

  for (const el of document.querySelectorAll('.main-column *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue; // chart internals: labels carry <title>s
    const style = getComputedStyle(el);
    if (style.position === 'absolute' || style.position === 'fixed' || style.display === 'contents') continue;
    const rect = el.getBoundingClientRect();
    if (!visible(el, rect)) continue;
    const parent = el.parentElement;
    if (!parent) continue;
    const parentStyle = getComputedStyle(parent);
    // Content of a box that scrolls may be wider than the box: that is what scrolling is for.
    if (!scrolls(parentStyle) && !clips(parentStyle)) {
      const p = parent.getBoundingClientRect();
      const inner = p.right - parseFloat(parentStyle.borderRightWidth || '0');
      if (rect.right > inner + 1.5 && parentStyle.display !== 'inline') problems.push({ kind: 'wider-than-container', element: describe(el), detail: `right edge ${Math.round(rect.right)} > ${describe(parent)} ${Math.round(inner)}` });
    }
    // Text cut off (ellipsis or hidden overflow) must say all of it in a tooltip.
    if ((clips(style) || style.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1 && (el.textContent ?? '').trim() !== '' && !hasTooltip(el)) {
      problems.push({ kind: 'clipped-without-tooltip', element: describe(el), detail: `${el.scrollWidth} > ${el.clientWidth}` });
    }
  }
  return problems;
}

export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(findLayoutProblems);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core (WCAG 2 A and AA) on the page as it is; the serious and critical violations. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy (script-src 'self') does not block it.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as { document: unknown } & { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
