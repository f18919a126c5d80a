"""Injected cases and decoys for the supplier, invoice and payment controls."""

from __future__ import annotations

from datetime import date

from tillit.analytics.generate._base import iso
from tillit.analytics.generate._purchasing import (
    TRADES,
    Inv,
    Pay,
    Purchasing,
    Supplier,
    pay_date,
)
from tillit.analytics.generate._world import Employee, World, wd
from tillit.analytics.generate.scenarios import run_scenarios


def _trade(word: str) -> int:
    return next(i for i, t in enumerate(TRADES) if t[0] == word)


class Injector:
    def __init__(self, p: Purchasing) -> None:
        self.p = p
        self.w: World = p.w
        self.rng = p.rng
        self.t = p.w.truth
        self.n = 0

    def sup(self, name: str, trade: str, board: str = "Tekniska nämnden", **kw) -> Supplier:
        created = kw.pop("created", None) or date(
            self.rng.randint(2010, 2021), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )
        s = self.p.new_supplier(
            name=name, kind="special", trade=_trade(trade), board=board, created=created, **kw
        )
        # special suppliers' ordinary invoices stay small, away from every limit
        s.lo, s.decades = 3, 1
        return s

    def inv(self, s: Supplier, d: date, number: str, ore: int, **kw) -> tuple[str, str]:
        """Add an invoice paid normally; returns the (invoices, payments) refs."""
        self.n += 1
        ref = f"i{self.n}"
        pays = kw.pop("pays", None)
        pref = f"p{self.n}"
        if pays is None:
            pays = [Pay(pay_date(d), ore, ref=pref)]
        elif pays:
            pref = pays[0].ref or pref
        self.p.injected.append(Inv(s, d, number, ore, ref=ref, pays=pays, **kw))
        return ("invoices", ref), ("payments", pref)  # type: ignore[return-value]

    def history(self, s: Supplier, months: range, day: int = 8) -> list[tuple[str, str]]:
        """Ordinary earlier invoices, so that account controls have a history to compare."""
        out = []
        for mth in months:
            out.append(
                # the account registered at the time, not whatever the supplier has at the end
                self.inv(
                    s,
                    wd(mth, day),
                    s.number(self.rng.randint(7, 40)),
                    s.next_amount(),
                    account=s.account,
                )
            )
        return out

    def emp(self, board: str) -> Employee:
        return self.rng.choice(self.w.attesters[board])

    # -------------------------------------------------------------------------------

    def run(self) -> None:
        """The injected suppliers, invoices and payments: the scenarios of each step, in order."""
        for step in (
            "duplicates",
            "payments",
            "limits",
            "suppliers",
            "accounts",
            "people",
            "patterns",
        ):
            run_scenarios(self, f"injector.{step}")


def _is_wd(d: date) -> bool:
    from tillit.analytics.generate._base import is_working_day

    return is_working_day(d)


def _next_wd(d: date) -> date:
    from tillit.analytics.generate._base import next_working_day

    return next_working_day(d)


__all__ = ["Injector", "iso"]
