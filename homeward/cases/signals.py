"""What the cases app announces, so other apps react without cases depending on them."""

from django.dispatch import Signal

# Sent after the intake's transaction commits, with `stay`.
stay_admitted = Signal()
# Sent after a stay's exit commits, with `stay`.
stay_ended = Signal()
# Sent after a correction of a person's record commits, with `person` and `new_photo`.
person_corrected = Signal()
# Sent after a photo of a person is added (the transaction committed), with `person`, `photo`.
person_photo_added = Signal()
# Sent inside the merge's transaction, with `kept`, `merged` and `by`; with `undone=True`
# when a merge is undone.
person_merged = Signal()
