"""What the cases app announces, so other apps react without cases depending on them."""

from django.dispatch import Signal

# Sent after the intake's transaction commits, with `stay`.
stay_admitted = Signal()
# Sent after a stay's exit commits, with `stay`.
stay_ended = Signal()
# Sent after a correction of a person's record commits, with `person` and `new_photo`.
person_corrected = Signal()
