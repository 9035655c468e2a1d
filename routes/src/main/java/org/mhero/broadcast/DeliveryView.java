package org.mhero.broadcast;

import java.time.Instant;

/** One recipient of a broadcast and where its message is; the number is masked ({@code +23177*****12}). */
public record DeliveryView(long deliveryId, long healthWorkerId, String displayName, String maskedPhone, int part,
                           String status, String reason, String channel, String gatewayStatus, int attempts,
                           Instant updatedAt) {}
