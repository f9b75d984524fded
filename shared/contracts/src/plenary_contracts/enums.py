"""Every enumeration the platform stores or sends, with its wire values.

Values are what is stored and sent on the wire; member names keep the values' spelling.
"""

from enum import StrEnum


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    LOCKED = "LOCKED"
    SUSPENDED = "SUSPENDED"


class RoleScope(StrEnum):
    GLOBAL = "GLOBAL"
    TENANT = "TENANT"
    EVENT = "EVENT"


class PermissionAccess(StrEnum):
    OWN = "own"
    ANY = "any"


class EventStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    CANCELED = "CANCELED"
    COMPLETED = "COMPLETED"
    POSTPONED = "POSTPONED"
    RESCHEDULED = "RESCHEDULED"


class WorkflowStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


class StepType(StrEnum):
    REVIEW = "REVIEW"
    APPROVAL = "APPROVAL"
    PRINT = "PRINT"
    COLLECT = "COLLECT"
    NOTIFICATION = "NOTIFICATION"
    CUSTOM = "CUSTOM"
    FORK = "FORK"
    JOIN = "JOIN"


class SlaAction(StrEnum):
    NOTIFY = "NOTIFY"
    ESCALATE = "ESCALATE"
    AUTO_APPROVE = "AUTO_APPROVE"
    AUTO_REJECT = "AUTO_REJECT"
    REASSIGN = "REASSIGN"


class ParticipantStatus(StrEnum):
    """The original RequestStatus."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    PRINTED = "PRINTED"


class ApprovalAction(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    BYPASS = "BYPASS"
    RETURN = "RETURN"
    ESCALATE = "ESCALATE"
    PRINT = "PRINT"


class AuditAction(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    LOGIN = "LOGIN"
    LOGOUT = "LOGOUT"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    PRINT = "PRINT"
    COLLECT = "COLLECT"
    EXPORT = "EXPORT"
    IMPORT = "IMPORT"
    CONFIGURE = "CONFIGURE"
    ASSIGN = "ASSIGN"
    SLA_BREACH = "SLA_BREACH"
    RATE_LIMIT = "RATE_LIMIT"
    FILE_UPLOAD = "FILE_UPLOAD"
    FILE_UPLOAD_BLOCKED = "FILE_UPLOAD_BLOCKED"
    TWO_FACTOR_ENABLE = "TWO_FACTOR_ENABLE"
    TWO_FACTOR_DISABLE = "TWO_FACTOR_DISABLE"


class FieldDataType(StrEnum):
    TEXT = "TEXT"
    LONG_TEXT = "LONG_TEXT"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "DATETIME"
    ENUM = "ENUM"
    MULTI_ENUM = "MULTI_ENUM"
    EMAIL = "EMAIL"
    URL = "URL"
    PHONE = "PHONE"
    FILE = "FILE"
    IMAGE = "IMAGE"
    REFERENCE = "REFERENCE"
    FORMULA = "FORMULA"
    JSON = "JSON"


class AssignmentStrategy(StrEnum):
    MANUAL = "MANUAL"
    ROUND_ROBIN = "ROUND_ROBIN"
    LEAST_LOADED = "LEAST_LOADED"


class AutoActionType(StrEnum):
    AUTO_APPROVE = "AUTO_APPROVE"
    AUTO_REJECT = "AUTO_REJECT"
    AUTO_BYPASS = "AUTO_BYPASS"
    AUTO_ESCALATE = "AUTO_ESCALATE"


class DelegationInviteStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class ViewType(StrEnum):
    TABLE = "TABLE"
    KANBAN = "KANBAN"
    CALENDAR = "CALENDAR"
    GALLERY = "GALLERY"


class ApiKeyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ROTATED = "ROTATED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class RateLimitTier(StrEnum):
    STANDARD = "STANDARD"
    ELEVATED = "ELEVATED"
    PREMIUM = "PREMIUM"
    CUSTOM = "CUSTOM"


class WebhookStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"
    SUSPENDED = "SUSPENDED"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    RETRYING = "RETRYING"
    DEAD_LETTER = "DEAD_LETTER"


class WebhookErrorType(StrEnum):
    HTTP_ERROR = "HTTP_ERROR"
    NETWORK_ERROR = "NETWORK_ERROR"


class ScanType(StrEnum):
    QR_SCAN = "QR_SCAN"
    NFC_TAP = "NFC_TAP"
    MANUAL_ENTRY = "MANUAL_ENTRY"


class ScanResult(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    ALREADY_SCANNED = "ALREADY_SCANNED"
    MANUAL_OVERRIDE = "MANUAL_OVERRIDE"


class CheckpointType(StrEnum):
    GATE = "gate"
    MEETING_ROOM = "meeting-room"
    VIP_AREA = "vip-area"
    REGISTRATION_DESK = "registration-desk"


class CheckpointDirection(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    BIDIRECTIONAL = "bidirectional"


class ReentryPolicy(StrEnum):
    """How often a checkpoint lets the same person in: once per day of the event (in its timezone), once ever,
    any number of times, or again only after an exit (anti-passback)."""

    ONCE_PER_DAY = "once-per-day"
    ONCE = "once"
    UNLIMITED = "unlimited"
    AFTER_EXIT = "after-exit"


class KioskLanguage(StrEnum):
    EN = "en"
    FR = "fr"
    AM = "am"
    AR = "ar"


class KioskMode(StrEnum):
    SELF_SERVICE = "self-service"
    CHECK_IN = "check-in"
    QUEUE_DISPLAY = "queue-display"
    INFO = "info"


class KioskSessionType(StrEnum):
    STATUS_LOOKUP = "status-lookup"
    QUEUE_JOIN = "queue-join"
    CHECK_IN = "check-in"
    INFO_BROWSE = "info-browse"


class QueueStatus(StrEnum):
    WAITING = "WAITING"
    CALLED = "CALLED"
    SERVING = "SERVING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class BulkOperationType(StrEnum):
    IMPORT_PARTICIPANTS = "IMPORT_PARTICIPANTS"
    EXPORT_PARTICIPANTS = "EXPORT_PARTICIPANTS"
    STATUS_CHANGE = "STATUS_CHANGE"
    BULK_APPROVE = "BULK_APPROVE"
    BULK_REJECT = "BULK_REJECT"
    BULK_BYPASS = "BULK_BYPASS"
    FIELD_UPDATE = "FIELD_UPDATE"
    DELETE = "DELETE"


class BulkOperationStatus(StrEnum):
    VALIDATING = "VALIDATING"
    PREVIEW = "PREVIEW"
    CONFIRMED = "CONFIRMED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    ROLLED_BACK = "ROLLED_BACK"


class BulkItemStatus(StrEnum):
    VALID = "valid"
    WARNING = "warning"
    ERROR = "error"
    PROCESSING = "processing"
    SUCCESS = "success"


class DuplicateStatus(StrEnum):
    PENDING_REVIEW = "PENDING_REVIEW"
    CONFIRMED_DUPLICATE = "CONFIRMED_DUPLICATE"
    NOT_DUPLICATE = "NOT_DUPLICATE"
    MERGED = "MERGED"


class BlacklistType(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    ORGANIZATION = "ORGANIZATION"
    DOCUMENT = "DOCUMENT"


class WaitlistStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PROMOTED = "PROMOTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"


class WaitlistPriority(StrEnum):
    STANDARD = "STANDARD"
    HIGH = "HIGH"
    VIP = "VIP"


class MessageChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"
    IN_APP = "IN_APP"


class MessageStatus(StrEnum):
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"
    FAILED = "FAILED"


class BroadcastStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    SENT = "SENT"
    CANCELLED = "CANCELLED"


class CloneStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    ROLLED_BACK = "ROLLED_BACK"


class BranchStatus(StrEnum):
    """ParallelBranch status. CANCELLED marks branches left pending after the join decided (none stays open)."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class JoinStrategy(StrEnum):
    ALL = "ALL"
    ANY = "ANY"
    MAJORITY = "MAJORITY"


class JoinTimeoutAction(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    ESCALATE = "ESCALATE"
