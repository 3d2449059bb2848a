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
    page: int | None = Field(description="The page's number; null on a page reached by cursor.")
    per_page: int
    next_cursor: str | None = Field(
        description="The next page's cursor: the same request with cursor=this (and without "
        "page) gives the day's posts after this page, however many are added or removed "
        "meanwhile. Null on the last page."
    )
    previous: DayCount | None = Field(description="The nearest earlier day with posts.")
    next: DayCount | None = Field(description="The nearest later day with posts.")
