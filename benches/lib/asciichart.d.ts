// Local typings for asciichart 1.5 (the package ships none). Only what benches/lib/chart.ts uses.
declare module 'asciichart' {
  interface PlotConfig {
    min?: number;
    max?: number;
    height?: number;
    offset?: number;
    padding?: string;
    colors?: string[];
    /** [axis-zero, axis, ..., horizontal, down-turn, up-turn, ..., vertical]: 10 box-drawing symbols. */
    symbols?: string[];
    format?: (value: number, index: number) => string;
  }
  interface AsciiChart {
    plot(series: number[] | number[][], config?: PlotConfig): string;
    colored(char: string, color: string | undefined): string;
    readonly reset: string;
    readonly blue: string;
    readonly green: string;
    readonly red: string;
    readonly yellow: string;
    readonly magenta: string;
    readonly cyan: string;
    readonly default: string;
  }
  const asciichart: AsciiChart;
  export default asciichart;
}
