export class PthFormatError extends Error {
  override name = 'PthFormatError';
}
