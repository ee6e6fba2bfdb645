"""Kept so that settings written before the senders moved (SMS_SENDER =
"homeward.portal.senders.FileSender") still start: the senders live in common.senders."""

from homeward.common.senders import (  # noqa: F401
    FileSender,
    WebhookFileSender,
    WechatFileSender,
    sms_sender,
    webhook_sender,
    wechat_sender,
)
