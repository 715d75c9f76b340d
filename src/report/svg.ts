import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec (top level, data inline). */
export type VegaLiteSpec = TopLevelSpec;

/** Plot defaults shared by every report: white background, a font every SVG viewer has, readable sizes. */
export const plotConfig = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' as const },
};

/**
 * Renders a Vega-Lite spec to an SVG string in Node (compiled with vega-lite, rendered headless by vega; no
 * canvas: text widths are estimated). Data must be inline: nothing is loaded from files or the network.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...plotConfig, ...(spec as { config?: object }).config } } as VegaLiteSpec;
  const compiled = compile(withConfig).spec;
  for (const d of compiled.data ?? []) {
    if ('url' in d && d.url !== undefined) throw new Error(`renderSvg: external data "${String(d.url)}" is not allowed; inline the values`);
  }
  const loader = vega.loader();
  // Refuse every load: report plots carry their data inline and must never touch disk or network.
  loader.load = async (uri: string) => {
    throw new Error(`renderSvg: external data "${uri}" is not allowed; inline the values`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
