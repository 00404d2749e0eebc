/**
 * Every request checks its keys against DynamoDB's limits (2,048 bytes of partition key, 1,024 of
 * sort key, UTF-8). A key short enough that it cannot exceed them whatever its characters is not
 * measured (issue 13: each of a journey's ~60 requests paid for two byte counts); one that may is
 * measured exactly, multi-byte characters included.
 */
import { checkKey } from '../../lib/store/item-rules';
import { StoreValidationError } from '../../lib/store/port';

afterEach(() => jest.restoreAllMocks());

it('does not measure a key that cannot be too long', () => {
  const byteLength = jest.spyOn(Buffer, 'byteLength');
  checkKey('C#c-123', 'T#2026-11-20T18:05:00.000Z#6#m-0123456789abcdef');
  checkKey('€'.repeat(682), '€'.repeat(341));
  expect(byteLength).not.toHaveBeenCalled();
});

it('measures a key that may be too long, in UTF-8 bytes', () => {
  // 683 three-byte characters: 2,049 bytes; 682: 2,046.
  expect(() => checkKey('€'.repeat(683), 'a')).toThrow(StoreValidationError);
  expect(() => checkKey('p'.repeat(2048), 's'.repeat(1024))).not.toThrow();
  expect(() => checkKey('p'.repeat(2049), 'a')).toThrow('Size of hashkey has exceeded the maximum size limit');
  expect(() => checkKey('p', 'é'.repeat(513))).toThrow('range keys has exceeded the size limit of 1024 bytes');
  expect(() => checkKey('p', 'é'.repeat(512))).not.toThrow();
});
