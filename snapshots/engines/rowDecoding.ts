// Which decoder turns the bytes a server sends into stored rows. By default the
// MySQL and PostgreSQL adapters encode rows straight from the wire into the
// snapshot's line encoding (mysql/rowEncoder.ts, postgres/copyText.ts);
// SNAPBENCH_ROW_DECODER=driver makes them decode into JS values as the drivers
// do (mysql2's row parser; the COPY parser's values), the baseline that
// `npm run bench` measures the wire decoders against and that the equivalence
// tests compare their files with. Both store the same bytes.
export function wireDecoding(): boolean {
  return process.env.SNAPBENCH_ROW_DECODER !== 'driver';
}
