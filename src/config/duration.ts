import ms from 'ms';

/**
 * A schema-valid duration (`500ms`, `5s`, `2m`, `1h` or an integer of milliseconds) in
 * milliseconds.
 */
export const durationMs = (value: string | number): number =>
  typeof value === 'number' ? value : ms(value as ms.StringValue);
