"""The project's knowledge base: facts about base images and the runtime images to suggest."""

from lintslim.knowledge.images import ImageFacts, image_architecture, image_facts, stage_facts
from lintslim.knowledge.runtime import runtime_image

__all__ = ["ImageFacts", "image_architecture", "image_facts", "runtime_image", "stage_facts"]
