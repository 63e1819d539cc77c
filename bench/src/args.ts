/**
 * Command-line options: --quick, --browser, --filter <workload or case>[,...], --backends <list>,
 * --out <dir>. Unknown options are an error, not ignored.
 */

export interface Options {
  /** Few iterations and no warm-up budget: a smoke run for CI. */
  quick: boolean;
  /** Workload names or case-id prefixes ("matmul", "matmul 64"); null for all. */
  filter: string[] | null;
  /** Engine names or parts of them ("eager-reference", "tfjs"); null for all. */
  backends: string[] | null;
  /** Where latest.json and latest.html go. */
  outDir: string;
  /** Run in headless Chromium instead of Node (results/browser.json). */
  browser?: boolean;
}

const list = (v: string | undefined, flag: string): string[] => {
  if (!v || v.startsWith("--")) throw new Error(`${flag} needs a value`);
  return v.split(",").map((s) => s.trim()).filter(Boolean);
};

/** Parses argv (without node and the script). */
export function parseArgs(argv: readonly string[], defaultOutDir: string): Options {
  const o: Options = { quick: false, filter: null, backends: null, outDir: defaultOutDir, browser: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--") continue;
    else if (flag === "--quick") o.quick = true;
    else if (flag === "--browser") o.browser = true;
    else if (flag === "--filter") o.filter = [...(o.filter ?? []), ...list(value(), flag)];
    else if (flag === "--backends") o.backends = [...(o.backends ?? []), ...list(value(), flag)];
    else if (flag === "--out") o.outDir = list(value(), flag)[0]!;
    else throw new Error(`unknown option ${a} (options: --quick, --browser, --filter <workload>, --backends <list>, --out <dir>)`);
  }
  return o;
}
