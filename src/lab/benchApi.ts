// Benchmark entry points for the lab page (filled in by the benchmark work).
export const benchApi = {};
