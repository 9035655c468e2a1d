package org.mhero.broadcast;

/**
 * One claimed delivery: the health worker, the E.164 number resolved when the broadcast was created and, when mHero
 * knows it, the worker's RapidPro contact. The number is personal data: never log it at INFO.
 */
public record Recipient(long deliveryId, long healthWorkerId, String phone, String contactUuid) {}
