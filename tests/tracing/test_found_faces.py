"""The intake desk's face check searches the found people's faces through the face index,
caught up from the database: new faces are appended, a removal reads them again, and no
search reads every vector when nothing went."""

from __future__ import annotations

import numpy as np

from homeward.tracing import found_faces
from homeward.tracing.models import FaceVector
from tests.cases.conftest import admit


def face(person, seed: int) -> FaceVector:
    vector = np.random.default_rng(seed).normal(size=128).astype("<f4")
    vector /= np.linalg.norm(vector)
    return FaceVector.objects.create(
        kind=FaceVector.Kind.FOUND, person=person, vector=vector.tobytes(), accepted=True
    )


def query(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=128).astype("<f4")
    return vector / np.linalg.norm(vector)


def test_new_faces_are_appended_and_a_removal_reads_them_again(suzhou, desk):
    first = admit(suzhou, desk, name="张一").person
    second = admit(suzhou, desk, name="张二").person
    kept = face(first, 1)
    reads = found_faces.full_reads()
    (hit,) = found_faces.nearest_found(query(1), limit=1)
    assert (hit.record_id, round(hit.distance, 5)) == (str(first.pk), 0.0)
    assert found_faces.full_reads() == reads + 1

    face(second, 2)  # a new intake's face: appended, not everything read again
    (hit,) = found_faces.nearest_found(query(2), limit=1)
    assert hit.record_id == str(second.pk)
    assert found_faces.nearest_found(query(1), limit=1)[0].record_id == str(first.pk)
    assert found_faces.full_reads() == reads + 1

    kept.delete()  # a face gone (erasure, a photo replaced): read again, and it is gone
    hits = found_faces.nearest_found(query(1), limit=5)
    assert [h.record_id for h in hits] == [str(second.pk)]
    assert found_faces.full_reads() == reads + 2
