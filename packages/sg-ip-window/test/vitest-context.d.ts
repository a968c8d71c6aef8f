// Brings in the test kit's `ProvidedContext` augmentation (motoEndpoint), which lives in its
// global-setup module and is otherwise not part of this package's type-check.
import type {} from '@berth/testkit/global-setup';
