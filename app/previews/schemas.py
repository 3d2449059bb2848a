from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.config import PREVIEW_LINK_MAX_SECONDS


class PreviewLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in: int | None = Field(
        None,
        ge=1,
        le=PREVIEW_LINK_MAX_SECONDS,
        description="Seconds the link is valid; at most, and by default, the server's "
        "PRESSESCHAU_PREVIEW_LINK_SECONDS (an hour unless configured).",
    )


class PreviewLink(BaseModel):
    url: str = Field(
        description="GET it without a token to read the post as it is at that time, until "
        "expires_at."
    )
    expires_at: datetime = Field(description="When the link stops working (410 from then).")
