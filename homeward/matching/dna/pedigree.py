"""Pedigrees: the family tree that links a missing person to the relatives who reported.

`build_family` turns HWX relations into a pedigree around the missing person ("mp"),
adding the untyped people the relations imply (the other parent, grandparents, the
parent through whom an aunt is related). Several relatives share those people, so a
mother and a full sibling, or both parents and a child, are evaluated jointly.

Conventions where a relation alone is ambiguous (a relative's `via` overrides them):
* half siblings, grandparents and aunts/uncles are on the father's side by default; a
  second grandparent fills the other slot of the same couple, a third goes to the
  mother's side;
* the missing person's children share one untyped other parent;
* each grandchild descends through its own untyped child, each niece/nephew through its
  own untyped full sibling of the missing person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeward.matching.dna.errors import DnaError

MP = "mp"
RELATIONS = (
    "mother", "father", "child", "full_sibling", "half_sibling", "grandparent",
    "grandchild", "aunt_uncle", "niece_nephew",
)  # fmt: skip
# Cotterman coefficients (kappa0, kappa1, kappa2) for the pairwise closed forms.
KAPPA: dict[str, tuple[float, float, float]] = {
    "mother": (0.0, 1.0, 0.0),
    "father": (0.0, 1.0, 0.0),
    "child": (0.0, 1.0, 0.0),
    "full_sibling": (0.25, 0.5, 0.25),
    "half_sibling": (0.5, 0.5, 0.0),
    "grandparent": (0.5, 0.5, 0.0),
    "grandchild": (0.5, 0.5, 0.0),
    "aunt_uncle": (0.5, 0.5, 0.0),
    "niece_nephew": (0.5, 0.5, 0.0),
}


@dataclass(frozen=True)
class Person:
    """One member: `father`/`mother` are ids or both None (a founder); sex "M", "F", "U"."""

    id: str
    father: str | None = None
    mother: str | None = None
    sex: str = "U"

    @property
    def founder(self) -> bool:
        return self.father is None


@dataclass
class Pedigree:
    """Members in an order where parents come before their children."""

    persons: list[Person] = field(default_factory=list)

    def __contains__(self, pid: str) -> bool:
        return any(p.id == pid for p in self.persons)

    def get(self, pid: str) -> Person:
        return next(p for p in self.persons if p.id == pid)

    def add(
        self, pid: str, father: str | None = None, mother: str | None = None, sex: str = "U"
    ) -> str:
        if (father is None) != (mother is None):
            raise ValueError("a non-founder needs both parents")
        self.persons.append(Person(pid, father, mother, sex))
        return pid

    def children(self, pid: str) -> list[Person]:
        return [p for p in self.persons if pid in (p.father, p.mother)]

    def pruned(self, keep: set[str]) -> Pedigree:
        """Without untyped leaves (people outside `keep` with no children): they sum to 1."""
        persons = list(self.persons)
        while True:
            parents = {x for p in persons for x in (p.father, p.mother) if x}
            drop = [p for p in persons if p.id not in keep and p.id not in parents]
            if not drop:
                return Pedigree(persons)
            persons = [p for p in persons if p not in drop]


@dataclass(frozen=True)
class Relative:
    """A relative of the missing person: HWX `relation`, optional sex and side (`via`)."""

    relation: str
    sex: str | None = None
    via: str | None = None


def build_family(relatives: list[Relative], mp_sex: str = "U") -> tuple[Pedigree, list[str]]:
    """The H1 pedigree (missing person = "mp") and the node id of each relative, in order.

    Raises DnaError for an unknown relation, a bad `via`, or two relatives that would be
    the same person (two fathers, three paternal grandparents).
    """
    nodes: dict[str, list] = {MP: [None, None, mp_sex]}
    serial = [0]

    def new(stem: str, father: str | None = None, mother: str | None = None, sex: str = "U") -> str:
        serial[0] += 1
        pid = f"{stem}#{serial[0]}"
        nodes[pid] = [father, mother, sex]
        return pid

    def parents(pid: str) -> tuple[str, str]:
        if nodes[pid][0] is None:
            nodes[f"{pid}.father"] = [None, None, "M"]
            nodes[f"{pid}.mother"] = [None, None, "F"]
            nodes[pid][:2] = [f"{pid}.father", f"{pid}.mother"]
        return nodes[pid][0], nodes[pid][1]

    partner: list[str] = []

    def mp_child() -> tuple[str, str]:
        if not partner:
            partner.append(new("partner", sex={"M": "F", "F": "M"}.get(mp_sex, "U")))
        return (partner[0], MP) if mp_sex == "F" else (MP, partner[0])

    ids: list[str] = []
    taken: set[str] = set()
    for i, rel in enumerate(relatives):
        where = f"relatives[{i}]"
        if rel.relation not in RELATIONS:
            raise DnaError(
                f"{where}: relation '{rel.relation}' is not one of {', '.join(RELATIONS)}.",
                field=where,
            )
        if rel.via not in (None, "father", "mother"):
            raise DnaError(f"{where}: via must be 'father' or 'mother'.", field=where)
        side = 0 if (rel.via or "father") == "father" else 1
        sex = rel.sex or "U"
        if rel.relation in ("father", "mother"):
            if rel.sex not in (None, "U", "M" if rel.relation == "father" else "F"):
                raise DnaError(f"{where}: a {rel.relation} cannot have sex {rel.sex}.", field=where)
            pid = parents(MP)[0 if rel.relation == "father" else 1]
        elif rel.relation == "full_sibling":
            pid = new("sibling", *parents(MP), sex=sex)
        elif rel.relation == "half_sibling":
            shared = parents(MP)[side]
            other = new("other_parent", sex="F" if side == 0 else "M")
            pid = new("half_sibling", *((shared, other) if side == 0 else (other, shared)), sex=sex)
        elif rel.relation == "grandparent":
            pid = _grandparent_slot(rel, taken, lambda s: parents(parents(MP)[s]), where)
        elif rel.relation == "aunt_uncle":
            pid = new("aunt_uncle", *parents(parents(MP)[side]), sex=sex)
        elif rel.relation == "niece_nephew":
            sibling = new("sibling", *parents(MP))
            pid = new("niece_nephew", sibling, new("spouse"), sex=sex)
        elif rel.relation == "child":
            pid = new("child", *mp_child(), sex=sex)
        else:  # grandchild
            pid = new("grandchild", new("child", *mp_child()), new("spouse"), sex=sex)
        if pid in taken:
            raise DnaError(f"{where}: more than one {rel.relation} given.", field=where)
        taken.add(pid)
        ids.append(pid)
    if rel_sexes := {pid: r.sex for pid, r in zip(ids, relatives, strict=True) if r.sex}:
        for pid, sex in rel_sexes.items():
            nodes[pid][2] = sex
    return _ordered(nodes), ids


def _grandparent_slot(rel: Relative, taken: set[str], couple, where: str) -> str:  # noqa: ANN001
    sides = [0 if rel.via == "father" else 1] if rel.via else [0, 1]
    slots = {"M": [0], "F": [1]}.get(rel.sex or "", [0, 1])
    for side in sides:
        pair = couple(side)
        for slot in slots:
            if pair[slot] not in taken:
                return pair[slot]
    raise DnaError(f"{where}: no free grandparent place left.", field=where)


def _ordered(nodes: dict[str, list]) -> Pedigree:
    ped = Pedigree()
    done: set[str] = set()

    def visit(pid: str) -> None:
        if pid in done:
            return
        father, mother, sex = nodes[pid]
        for parent in (father, mother):
            if parent:
                visit(parent)
        done.add(pid)
        ped.add(pid, father, mother, sex)

    for pid in nodes:
        visit(pid)
    return ped


def unrelated_alternative(ped: Pedigree, person: str = MP) -> tuple[Pedigree, str]:
    """H2: the same family with `person` untyped, plus an unrelated stand-in (returned id)
    that carries the person's genotype.

    The stand-in is a child of two fresh untyped founders when `person` has parents in
    the family pedigree (so untyped parents transmit, and mutate, alike under H1 and H2;
    the "pedigree" convention of Familias and pedmut), else a founder. Under a stationary
    model (proportional, or none) both choices give the same LR.
    """
    alt = f"{person}*"
    me = ped.get(person)
    persons = list(ped.persons)
    if me.founder:
        persons.append(Person(alt, sex=me.sex))
    else:
        persons += [
            Person(f"{alt}.father", sex="M"),
            Person(f"{alt}.mother", sex="F"),
            Person(alt, f"{alt}.father", f"{alt}.mother", me.sex),
        ]
    return Pedigree(persons), alt
