/**
 * What sending a request twice could do in the real world. The retry policy reads only this:
 * - `placesCall`: rings a person (ai/pcmo/flow call);
 * - `changesCall`: acts on a live call in a way that repeating would repeat (transfer);
 * - `repeatable`: reading, or an action whose repeat changes nothing (balance, hangup).
 */
export type RequestEffect = 'placesCall' | 'changesCall' | 'repeatable';
