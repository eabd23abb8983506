import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../../kernel/secret.js';

/**
 * The public tracking token of a shipment: HMAC-SHA256(server secret, "track:" + shipment id), base64url,
 * 32 characters (192 bits). It is derived, not stored: every e-mail can embed it again, and the database
 * keeps only its SHA-256 (`shipment_tracking.token_hash`) to find the shipment. A lookup recomputes the
 * HMAC for the shipment found and compares in constant time, so a forged token and a missing one look the
 * same. Rotating the server secret invalidates every tracking link (docs/tracking.md).
 */
export const trackingTokenLength = 32;
const tokenPattern = /^[A-Za-z0-9_-]{32}$/;

export function trackingToken(secret: Buffer, shipmentId: string): string {
  return createHmac('sha256', secret).update(`track:${shipmentId}`).digest('base64url').slice(0, trackingTokenLength);
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export const isTokenShaped = (token: string): boolean => tokenPattern.test(token);

/** True when `token` is this shipment's token (constant time). */
export const tokenMatches = (secret: Buffer, shipmentId: string, token: string): boolean =>
  safeEqual(trackingToken(secret, shipmentId), token);

export const trackingUrl = (publicUrl: string, secret: Buffer, shipmentId: string): string =>
  `${publicUrl}/track/${trackingToken(secret, shipmentId)}`;
