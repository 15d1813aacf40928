"""What Meta charges for WhatsApp messages: the rate card (an estimate before a send) and the pricing Meta reports
on each status (what was charged)."""
