import datetime as dt

from pydantic import BaseModel, Field

from app.posts.schemas import PostPublic


class MonthCount(BaseModel):
    year: int
    month: int
    label: str = Field(description="The month in the site language, e.g. 'Januar 2022'.")
    count: int


class YearArchive(BaseModel):
    year: int
    count: int
    months: list[MonthCount] = Field(description="Months that have posts, newest first.")


class ArchiveIndex(BaseModel):
    years: list[YearArchive] = Field(description="Years that have posts, newest first.")


class DayCount(BaseModel):
    date: dt.date
    count: int


class MonthArchive(BaseModel):
    year: int
    month: int
    label: str
    count: int
    days: list[DayCount] = Field(description="Days of the month that have posts, in date order.")
    previous: MonthCount | None = Field(description="The nearest earlier month with posts.")
    next: MonthCount | None = Field(description="The nearest later month with posts.")


class DayArchive(BaseModel):
    date: dt.date
    label: str = Field(description="The day in the site language, e.g. '10. Januar 2022'.")
    count: int = Field(description="Posts on this day.")
    items: list[PostPublic] = Field(description="This page of the day's posts, newest first.")
    page: int
    per_page: int
    previous: DayCount | None = Field(description="The nearest earlier day with posts.")
    next: DayCount | None = Field(description="The nearest later day with posts.")
